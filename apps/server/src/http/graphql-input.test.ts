// Bad GraphQL is the client's mistake: a 400 with Apollo's stable code, never a 500. Before: the cost check ran on
// uncoerced variables and unresolved operations (wrong-typed, missing or out-of-range variables, an empty or unknown
// operationName were 500s), the depth rule recursed into fragment cycles until the stack overflowed (500), and
// the cost counter's node limit (many aliases) was a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../app.js';
import { MAX_ALIASES, MAX_DEPTH } from '../graphql/limits.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

let testApp: TestApp | undefined;
let app: RunningApp;

beforeAll(async () => {
  testApp = await startTestApp();
  app = testApp.app;
});
afterAll(async () => {
  await testApp?.stop();
});

const JOB = 'query($id: ID!) { job(id: $id) { id } }';
const QUEUE = 'query($n: Int) { reviewQueue(first: $n) { edges { node { id } } } }';
const aliases = (n: number, field = '__typename') =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
/** reviewQueue > edges > node > circuit > reviews > circuit > ... : `levels` fields that have a selection. */
function nested(levels: number): string {
  const path = ['reviewQueue', 'edges', 'node'];
  while (path.length < levels) path.push(path.length % 2 ? 'circuit' : 'reviews');
  return `{ ${path.map((field) => `${field} {`).join(' ')} id ${'}'.repeat(path.length)} }`;
}
/** Fragments that each spread the next one twice: 2^40 expansions for a walker that does not remember them. */
const doubling = (n: number) =>
  `{ ...F0 } ${Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${n} on Query { __typename }`;

type Body = Record<string, unknown>;
/** [what, body, code] */
const cases: [string, Body, string | RegExp][] = [
  ['a variable of the wrong type', { query: JOB, variables: { id: { nested: true } } }, 'BAD_USER_INPUT'],
  ['a missing required variable', { query: JOB }, 'BAD_USER_INPUT'],
  [
    // graphql-js stops after 50 variable errors and adds one without a code (found by the fuzz test: a 500).
    'more than 50 invalid values in one variable',
    {
      query: 'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
      variables: { i: { teamId: 'x', title: 't', model: 'demo', pairs: Array.from({ length: 60 }, () => ({})) } },
    },
    'BAD_USER_INPUT',
  ],
  ['a null for a required variable', { query: JOB, variables: { id: null } }, 'BAD_USER_INPUT'],
  ['an out-of-range Int variable', { query: QUEUE, variables: { n: 1e12 } }, 'BAD_USER_INPUT'],
  ['a fractional Int variable', { query: QUEUE, variables: { n: 1.5 } }, 'BAD_USER_INPUT'],
  [
    'an unknown enum value in a variable',
    {
      query: 'mutation($v: Visibility!) { setCircuitVisibility(circuitId: "x", visibility: $v) { id } }',
      variables: { v: 'SECRET' },
    },
    'BAD_USER_INPUT',
  ],
  [
    'an unknown enum value inline',
    { query: 'mutation { setCircuitVisibility(circuitId: "x", visibility: SECRET) { id } }' },
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'an out-of-range Int inline',
    { query: '{ reviewQueue(first: 99999999999) { edges { cursor } } }' },
    'GRAPHQL_VALIDATION_FAILED',
  ],
  ['a huge `first` (cost)', { query: QUEUE, variables: { n: 2_147_483_647 } }, 'BAD_USER_INPUT'],
  [
    'an empty operationName (one operation)',
    { query: '{ __typename }', operationName: '' },
    'OPERATION_RESOLUTION_FAILURE',
  ],
  [
    'an empty operationName (two operations)',
    { query: 'query A { __typename } query B { me { id } }', operationName: '' },
    'OPERATION_RESOLUTION_FAILURE',
  ],
  ['an unknown operationName', { query: '{ __typename }', operationName: 'Nope' }, 'OPERATION_RESOLUTION_FAILURE'],
  [
    'two operations and no operationName',
    { query: 'query A { __typename } query B { me { id } }' },
    'OPERATION_RESOLUTION_FAILURE',
  ],
  ['variables that are an array', { query: '{ __typename }', variables: [1] }, 'BAD_REQUEST'],
  ['variables that are a number', { query: '{ __typename }', variables: 5 }, 'BAD_REQUEST'],
  ['an operationName that is a number', { query: '{ __typename }', operationName: 5 }, 'BAD_REQUEST'],
  ['an empty query', { query: '' }, 'BAD_REQUEST'],
  [
    'a fragment cycle',
    { query: '{ me { ...A } } fragment A on User { id ...B } fragment B on User { ...A }' },
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'a fragment spreading itself',
    { query: '{ me { ...A } } fragment A on User { id ...A }' },
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'a fragment cycle under a deep field',
    { query: `{ myTeams { members { user { ...A } } } } fragment A on User { ...A }` },
    'GRAPHQL_VALIDATION_FAILED',
  ],
  ['an unknown fragment', { query: '{ me { ...Nope } }' }, 'GRAPHQL_VALIDATION_FAILED'],
  // The cost counter expands fragments and stops at its node limit.
  ['fragments spreading each other 2^40 times', { query: doubling(40) }, 'BAD_USER_INPUT'],
  ['an unknown field', { query: '{ nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
  ['an unknown argument', { query: '{ me(id: 1) { id } }' }, 'GRAPHQL_VALIDATION_FAILED'],
  ['an unused variable', { query: 'query($x: Int) { __typename }', variables: { x: 1 } }, 'GRAPHQL_VALIDATION_FAILED'],
  [`${MAX_ALIASES + 1} aliases`, { query: aliases(MAX_ALIASES + 1) }, 'GRAPHQL_VALIDATION_FAILED'],
  ['1,000 aliases of a field with a selection', { query: aliases(1000, 'me { id }') }, 'GRAPHQL_VALIDATION_FAILED'],
  // graphql's overlapping-fields rule compares same-named fields pairwise: the token limit keeps that small.
  ['5,000 copies of one field', { query: `{ ${'me { id } '.repeat(5000)}}` }, 'GRAPHQL_PARSE_FAILED'],
  ['20,000 aliases (over the token limit)', { query: aliases(20_000) }, 'GRAPHQL_PARSE_FAILED'],
  [`a query ${MAX_DEPTH + 1} levels deep`, { query: nested(MAX_DEPTH + 1) }, 'GRAPHQL_VALIDATION_FAILED'],
  // Refused by the depth rule, or by the parser when its stack runs out first (it depends on the stack's size).
  [
    'a query 3,000 levels deep',
    { query: `{ ${'me { '.repeat(3000)}id${' }'.repeat(3000)} }` },
    /^GRAPHQL_(PARSE|VALIDATION)_FAILED$/,
  ],
  ['a syntax error', { query: '{ me ' }, 'GRAPHQL_PARSE_FAILED'],
  // Fuzz test (fuzz.test.ts), a 200 with INTERNAL_SERVER_ERROR: Apollo ran a subscription's fields without their
  // subscribe functions ("Cannot return null").
  ['a subscription over HTTP', { query: 'subscription { myInbox { kind } }' }, 'BAD_REQUEST'],
  // Fuzz test, a 500: graphql's own validation of a subscription threw on these directives.
  [
    'a subscription whose root field is included by a variable',
    { query: 'subscription($v: Boolean!) { myInbox @include(if: $v) { kind } }', variables: { v: true } },
    'BAD_REQUEST',
  ],
  [
    'a subscription whose root field has @include of a wrong value',
    { query: 'subscription { myInbox @include(if: "yes") { kind } }' },
    'BAD_REQUEST',
  ],
  // The DateTime scalar refuses text that is no RFC 3339 date-time, in a variable and inline alike.
  [
    'a DateTime variable that is no date-time',
    {
      query: 'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
      variables: { i: { circuitId: 'x', permission: 'VIEW', expiresAt: 'tomorrow' } },
    },
    'BAD_USER_INPUT',
  ],
  [
    'a DateTime literal that is no date-time',
    {
      query:
        'mutation { createShareLink(input: { circuitId: "x", permission: VIEW, expiresAt: "tomorrow" }) { token } }',
    },
    'GRAPHQL_VALIDATION_FAILED',
  ],
  // Fuzz test, a 200 with INTERNAL_SERVER_ERROR: Postgres keeps no U+0000 in text or jsonb.
  [
    'a NUL character in a string literal',
    { query: '{ circuit(slug: "a\\u0000b") { id } }' },
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'a NUL character in a variable',
    { query: 'query($s: String!) { circuit(slug: $s) { id } }', variables: { s: 'a\u0000b' } },
    'BAD_USER_INPUT',
  ],
  [
    'a NUL character deep in a JSON variable',
    {
      query: 'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }',
      variables: { i: { teamId: 'x', title: 't', graph: { nodes: [{ id: 'a', label: ['\u0000'] }] } } },
    },
    'BAD_USER_INPUT',
  ],
];

async function post(body: Body, headers: Record<string, string> = {}) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string; field?: string } }[] },
  };
}

describe('bad GraphQL input', () => {
  it.each(cases)('%s is a 400 with a stable code', async (_what, body, code) => {
    const started = Date.now();
    const { status, json, text } = await post(body);
    expect(status, text.slice(0, 300)).toBe(400);
    expect(json.errors?.[0]?.extensions?.code ?? 'none', text.slice(0, 300)).toMatch(code);
    expect(json.errors?.[0]?.message).not.toMatch(/internal|call stack|Cannot read/i);
    // Every error of the answer, not only the first, is the client's (a later one was once a masked 500).
    for (const error of json.errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('names the field of a variable the schema refuses (extensions.field, as the services name theirs)', async () => {
    const SHARE = 'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }';
    const refused: [Body, string][] = [
      [{ query: SHARE, variables: { i: { circuitId: 'x', permission: 'VIEW', expiresAt: 'tomorrow' } } }, 'expiresAt'],
      [{ query: SHARE, variables: { i: { circuitId: 'x', permission: 'SECRET' } } }, 'permission'],
      [{ query: JOB, variables: { id: { nested: true } } }, 'id'],
      [{ query: JOB }, 'id'],
      [{ query: JOB, variables: { id: null } }, 'id'],
    ];
    for (const [body, field] of refused) {
      const { json } = await post(body);
      expect(json.errors?.[0]?.extensions, JSON.stringify(body)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('names the variable that holds a NUL character', async () => {
    const { json } = await post({
      query: 'query($s: String!) { circuit(slug: $s) { id } }',
      variables: { s: '\u0000' },
    });
    expect(json.errors?.[0]?.message).toBe('Variable $s may not contain the NUL character (U+0000)');
  });

  it(`accepts a query ${MAX_DEPTH} levels deep and ${MAX_ALIASES} aliases: the limits are where they say`, async () => {
    for (const query of [nested(MAX_DEPTH), aliases(MAX_ALIASES)]) {
      const { status, json } = await post({ query });
      expect(status).toBe(200);
      expect(json.errors?.[0]?.extensions?.code ?? 'none').not.toMatch(/VALIDATION|PARSE|BAD_USER_INPUT/);
    }
  });
});

// Found by the fuzz test: an id that is not a uuid reached Postgres's uuid columns ("invalid input syntax for type
// uuid"), an INTERNAL_SERVER_ERROR. It names nothing: NOT_FOUND, as for a uuid that names nothing.
describe('ids that are not uuids', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = (await TestClient.signUp(app.url, 'ids@input.test')).sessionCookie;
  });

  it.each([
    ['label', '{ label(id: "demo") { id } }'],
    ['revokeShareLink', 'mutation { revokeShareLink(id: "constructor") { id } }'],
    ['revokeInvitation', 'mutation { revokeInvitation(id: "x") { id } }'],
    ['setCommentResolved', 'mutation { setCommentResolved(id: "__proto__", resolved: true) { id } }'],
    ['setCircuitVisibility', 'mutation { setCircuitVisibility(circuitId: "x", visibility: PRIVATE) { id } }'],
  ])('%s answers NOT_FOUND', async (_field, query) => {
    const { status, json, text } = await post({ query }, { cookie });
    expect(status, text.slice(0, 300)).toBe(200);
    expect(json.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });
});
