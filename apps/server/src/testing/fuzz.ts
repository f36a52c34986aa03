// Seeded generators for the fuzz test (http/fuzz.test.ts): GraphQL operations built from the real schema, valid and
// mutated, and raw HTTP and WebSocket traffic around them. One seed gives the same sequence of cases; the values
// that make a case reach past "not found" (ids, slugs, tokens, cookies) come from the running server's pool.
import {
  buildSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { typeDefs } from '../graphql/schema.js';

/** mulberry32: small, fast and the same on every platform. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    let left = this.next() * choices.reduce((sum, [weight]) => sum + weight, 0);
    for (const [weight, value] of choices) {
      left -= weight;
      if (left < 0) return value;
    }
    return (choices.at(-1) as readonly [number, T])[1];
  }

  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(0, 255)));
  }

  uuid(): string {
    const hex = this.bytes(16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** Values from the running server that generated requests reuse. */
export interface FuzzPool {
  /** Ids of every kind (users, teams, circuits, labels, ...), of several users. */
  ids: string[];
  /** Slugs, tokens, emails, model and SAE ids, hooks. */
  strings: string[];
  /** Session cookies (`wb_session=...`) of signed-in users that the fuzz test keeps for its final check. */
  cookies: string[];
  /** A session that requests with signOut use instead, so the kept ones stay signed in. */
  signOutCookie: string;
  shareTokens: string[];
  /** Paths that exist (e.g. an SAE's encoder URL). */
  paths: string[];
}

export interface GeneratedOperation {
  query: string;
  variables?: unknown;
  operationName?: unknown;
}

export type OperationKind = 'query' | 'mutation' | 'subscription';

const GARBAGE_STRINGS = [
  '',
  ' ',
  'null',
  'undefined',
  '0',
  '-1',
  'NaN',
  '\u0000',
  '%00',
  '%zz',
  '../../etc/passwd',
  '\'; DROP TABLE "User"; --',
  '{"$gt": ""}',
  '<script>alert(1)</script>',
  'ünïcødé ✓ 𝄞',
  '\ud800',
  '\r\n\r\nHTTP/1.1 200 OK',
  '__proto__',
  'constructor',
  '2030-01-01T00:00:00.000Z',
  'not a date',
  'a@b',
  'x'.repeat(300),
];

const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, true, false, 'x', '', {}, [], { a: 1 }, [null], [[[]]], 1e300];

/**
 * Builds random operations for the schema's root fields. Each is either well-formed (valid against the schema, with
 * values of the right types: what reaches the resolvers) or broken in a few places on purpose (wrong types, missing
 * or unknown arguments, bad fragments, mangled text).
 */
export class OperationGenerator {
  readonly schema: GraphQLSchema;
  // Per operation being built.
  private broken = false;
  private variableDefinitions: string[] = [];
  private variables: Record<string, unknown> = {};
  private fragments: string[] = [];
  private counter = 0;

  constructor(
    private readonly rng: Rng,
    private readonly pool: FuzzPool,
  ) {
    this.schema = buildSchema(typeDefs);
  }

  /** In a broken operation, true with probability p; never in a well-formed one. */
  private odd(p: number): boolean {
    return this.broken && this.rng.chance(p);
  }

  operation(
    kind: OperationKind = this.rng.weighted([
      [55, 'query'],
      [33, 'mutation'],
      [12, 'subscription'],
    ] as const),
  ): GeneratedOperation {
    const rng = this.rng;
    this.broken = rng.chance(0.35);
    this.variableDefinitions = [];
    this.variables = {};
    this.fragments = [];
    this.counter = 0;
    const root = this.rootType(kind);
    const deep = rng.chance(0.05);
    // A subscription has one root field.
    const count =
      kind === 'subscription' && !this.odd(0.2)
        ? 1
        : rng.weighted([
            [80, 1],
            [15, 2],
            [5, rng.int(3, 8)],
          ] as const);
    const fields = this.distinct(
      Array.from({ length: count }, () => rng.pick(Object.values(root.getFields()))),
      (field) => this.field(field, deep ? 14 : rng.int(1, 4), 0, deep),
    );
    if (kind !== 'subscription' && rng.chance(0.03)) fields.push('__typename');
    if (kind === 'query' && rng.chance(0.01)) fields.push('__schema { types { name fields { name } } }');
    if (this.odd(0.05)) fields.push(rng.pick(['nope', 'me { nope }', '__type(name: "Query") { name }']));
    const name = rng.chance(0.6) ? `Fuzz${rng.int(0, 999)}` : '';
    const definitions = this.variableDefinitions.length ? `(${this.variableDefinitions.join(', ')})` : '';
    const keyword = this.odd(0.05) ? rng.pick(['query', 'mutation', 'subscription', 'fragment', 'nope']) : kind;
    const head =
      name || definitions || keyword !== 'query' || rng.chance(0.5) ? `${keyword} ${name}${definitions} ` : '';
    let query = `${head}{ ${fields.join(' ')} }`;
    const second = this.odd(0.12);
    if (second) query += ` query Other { ${rng.pick(['me { id }', '__typename', 'models { id }'])} }`;
    if (this.fragments.length) query += ` ${this.fragments.join(' ')}`;
    if (this.odd(0.1)) query = this.mangle(query);
    const operation: GeneratedOperation = { query };
    if (this.odd(0.15)) {
      if (rng.chance(0.5)) operation.variables = rng.pick(WRONG_VALUES);
    } else {
      operation.variables = this.variables;
    }
    const operationName = this.odd(0.5)
      ? rng.pick<unknown>(['Other', 'Nope', '', null, 7, { name }])
      : name || (second ? 'Other' : undefined);
    if (operationName !== undefined) operation.operationName = operationName;
    return operation;
  }

  /**
   * The fields as text; one picked twice gets an alias in a well-formed operation (the same name with other
   * arguments is a conflict that graphql refuses).
   */
  private distinct<F extends { name: string }>(fields: F[], write: (field: F) => string): string[] {
    const seen = new Set<string>();
    return fields.map((field) => {
      const text = write(field);
      const repeated = seen.has(field.name) && !this.odd(0.5) && !/^\w+:/.test(text);
      seen.add(field.name);
      return repeated ? `a${this.counter++}: ${text}` : text;
    });
  }

  private rootType(kind: OperationKind): GraphQLObjectType {
    const type =
      kind === 'query'
        ? this.schema.getQueryType()
        : kind === 'mutation'
          ? this.schema.getMutationType()
          : this.schema.getSubscriptionType();
    if (!type) throw new Error(`no ${kind} type`);
    return type;
  }

  /** One field with its arguments and, for object types, a selection `depth` levels deep at most. */
  private field(field: GraphQLField<unknown, unknown>, depth: number, level: number, deep: boolean): string {
    const rng = this.rng;
    const alias = rng.chance(0.1) ? `a${this.counter++}: ` : '';
    const args = this.args(field.args);
    let directive = '';
    if (rng.chance(0.03)) {
      const valid = [' @skip(if: true)', ' @skip(if: false)', ' @include(if: false)', ' @include(if: true)'];
      directive = this.broken
        ? rng.pick([...valid, ' @include(if: "yes")', ' @nope', ' @deprecated'])
        : rng.pick(valid);
    }
    const type = getNamedType(field.type);
    let selection = '';
    if (isObjectType(type)) {
      selection = this.odd(0.05) ? '' : ` ${this.selection(type, depth, level + 1, deep)}`;
    } else if (this.odd(0.05)) {
      selection = ' { id }';
    }
    return `${alias}${field.name}${args}${directive}${selection}`;
  }

  private selection(type: GraphQLObjectType, depth: number, level: number, deep: boolean): string {
    const rng = this.rng;
    const fields = Object.values(type.getFields());
    if (level >= depth) {
      const leaves = fields.filter(
        (f) => !isObjectType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type)),
      );
      return `{ ${leaves.length ? rng.pick(leaves).name : '__typename'} }`;
    }
    const objects = fields.filter((f) => isObjectType(getNamedType(f.type)));
    const picked = Array.from({ length: rng.int(1, Math.min(4, fields.length)) }, () =>
      deep && objects.length ? rng.pick(objects) : rng.pick(fields),
    );
    const parts = this.distinct(picked, (field) => this.field(field, depth, level, deep));
    const roll = rng.next();
    if (roll < 0.04) parts.push(`... on ${type.name} { __typename }`);
    else if (roll < 0.1) parts.push(this.fragmentSpread(type, depth, level, deep));
    else if (roll < 0.12 && this.broken) {
      parts.push(`... on ${rng.pick(['Query', 'User', 'Team', 'Nope'])} { __typename }`);
    } else if (roll < 0.13 && this.broken) parts.push('nope');
    return `{ ${parts.join(' ')} }`;
  }

  /** A named fragment on the type, spread here; broken: a cycle, a wrong type or one that does not exist. */
  private fragmentSpread(type: GraphQLObjectType, depth: number, level: number, deep: boolean): string {
    const rng = this.rng;
    const name = `F${this.counter++}`;
    const shape = this.broken
      ? rng.weighted([
          [40, 'plain'],
          [20, 'self'],
          [20, 'pair'],
          [10, 'missing'],
          [10, 'wrong-type'],
        ] as const)
      : 'plain';
    if (shape === 'missing') return `...Missing${this.counter++}`;
    if (shape === 'self') {
      this.fragments.push(`fragment ${name} on ${type.name} { __typename ...${name} }`);
    } else if (shape === 'pair') {
      const other = `F${this.counter++}`;
      this.fragments.push(`fragment ${name} on ${type.name} { ...${other} }`);
      this.fragments.push(`fragment ${other} on ${type.name} { __typename ...${name} }`);
    } else {
      const on = shape === 'wrong-type' ? rng.pick(['Query', 'User', 'Circuit', 'Nope']) : type.name;
      // Built before it is pushed: its own fragments come first, the document order does not matter.
      const body = this.selection(type, depth, level, deep);
      this.fragments.push(`fragment ${name} on ${on} ${body}`);
    }
    return `...${name}`;
  }

  private args(args: readonly GraphQLArgument[]): string {
    const rng = this.rng;
    const parts: string[] = [];
    for (const arg of args) {
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      if (required ? this.odd(0.1) : !rng.chance(0.45)) continue;
      const value = this.value(arg.type, 0);
      if (rng.chance(0.5)) {
        parts.push(`${arg.name}: ${literal(value, arg.type)}`);
      } else {
        const name = `v${this.counter++}`;
        const declared = this.odd(0.08) ? rng.pick(['Int', 'String!', 'ID', '[ID!]!', 'Nope', 'JSON']) : `${arg.type}`;
        this.variableDefinitions.push(`$${name}: ${declared}`);
        if (!this.odd(0.08)) this.variables[name] = value;
        parts.push(`${arg.name}: $${name}`);
      }
    }
    if (this.odd(0.05)) parts.push(rng.pick(['bogus: 1', 'id: "x"', `${args[0]?.name ?? 'x'}: null`]));
    return parts.length ? `(${parts.join(', ')})` : '';
  }

  /** A value for an input type: of the right shape in a well-formed operation, sometimes not in a broken one. */
  value(type: GraphQLInputType, depth: number): unknown {
    const rng = this.rng;
    if (this.odd(0.1)) return rng.pick(WRONG_VALUES);
    if (isNonNullType(type)) return this.present(type.ofType, depth);
    return rng.chance(0.05) ? null : this.present(type, depth);
  }

  /** A value that is not null (of a type already unwrapped from non-null). */
  private present(type: GraphQLInputType, depth: number): unknown {
    const rng = this.rng;
    if (isListType(type)) {
      if (rng.chance(0.1)) return this.value(type.ofType, depth + 1);
      const length = this.odd(0.03) ? rng.int(1000, 5001) : rng.chance(0.9) ? rng.int(0, 3) : rng.int(4, 50);
      const item = this.value(type.ofType, depth + 1);
      // Long lists repeat one item: their size is the point, not their variety.
      return Array.from({ length }, (_, i) => (i < 3 ? this.value(type.ofType, depth + 1) : item));
    }
    if (isEnumType(type)) return this.odd(0.05) ? 'NOPE' : rng.pick(type.getValues()).name;
    if (isInputObjectType(type)) {
      const object: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        const required = isNonNullType(field.type) && field.defaultValue === undefined;
        const include = required ? !this.odd(0.1) : depth < 6 && rng.chance(0.4);
        if (include) object[field.name] = this.value(field.type, depth + 1);
      }
      if (this.odd(0.05)) object[rng.pick(['extra', '__proto__', 'constructor'])] = rng.pick(WRONG_VALUES);
      return object;
    }
    if (isScalarType(type)) return this.scalar(type.name, depth);
    return null;
  }

  private scalar(name: string, depth: number): unknown {
    const rng = this.rng;
    switch (name) {
      case 'ID':
        return this.id();
      case 'String':
        return this.string();
      case 'Int':
        if (this.odd(0.15)) return rng.pick([2 ** 31, 1e12, 1.5, -0.5, 1e300, '3']);
        return rng.weighted<number>([
          [60, rng.int(0, 10)],
          [20, rng.int(11, 5000)],
          [20, rng.pick([-1, -(2 ** 31), 2 ** 31 - 1, 100_000, 7_500, 50_000, 1_000_000_000])],
        ]);
      case 'Float':
        return rng.weighted<number>([
          [70, rng.next()],
          [30, rng.pick([0, -1, 1e308, -1e308, 5e-324, 2 ** 53, 1, 100])],
        ]);
      case 'Boolean':
        return this.odd(0.1) ? rng.pick(['true', 1, 0]) : rng.chance(0.5);
      case 'JSON':
        return this.json(depth);
      case 'DateTime':
        // Half of them valid, past and future (so expiry rules run), half whatever a string can be.
        return this.odd(0.5)
          ? new Date(Date.UTC(rng.int(1990, 2090), rng.int(0, 11), rng.int(1, 28), rng.int(0, 23))).toISOString()
          : this.string();
      default:
        return this.string();
    }
  }

  id(): string {
    const rng = this.rng;
    return rng.weighted([
      [60, () => rng.pick(this.pool.ids)],
      [15, () => rng.uuid()],
      [10, () => rng.pick(this.pool.strings)],
      [15, () => rng.pick(GARBAGE_STRINGS)],
    ] as const)();
  }

  string(): string {
    const rng = this.rng;
    return rng.weighted([
      [40, () => rng.pick(this.pool.strings)],
      [25, () => randomText(rng, rng.int(1, 40))],
      [20, () => rng.pick(GARBAGE_STRINGS)],
      [10, () => rng.pick(this.pool.ids)],
      [3, () => `fuzz${rng.int(0, 99999)}@fuzz.org`],
      [this.broken ? 3 : 0, () => randomText(rng, 8).repeat(rng.int(100, 3000))],
    ] as const)();
  }

  /** A JSON scalar: anything, sometimes a circuit graph's shape, sometimes nested very deep. */
  json(depth: number): unknown {
    const rng = this.rng;
    const kind = rng.weighted([
      [30, 'graph'],
      [30, 'any'],
      [2, 'deep'],
      [1, 'wide'],
    ] as const);
    if (kind === 'graph') return this.graph();
    if (kind === 'deep')
      return nestedJson(rng.chance(0.9) ? rng.int(100, 2000) : rng.int(2000, 50_000), rng.chance(0.5));
    if (kind === 'wide') return Object.fromEntries(Array.from({ length: rng.int(1000, 5000) }, (_, i) => [`k${i}`, i]));
    return this.anyJson(depth);
  }

  private anyJson(depth: number): unknown {
    const rng = this.rng;
    const leaf = () => rng.pick<unknown>([null, true, 0, -1, 1.5, 'x', '', this.string(), rng.next()]);
    if (depth > 4) return leaf();
    return rng.weighted([
      [50, leaf],
      [25, () => Array.from({ length: rng.int(0, 4) }, () => this.anyJson(depth + 1))],
      [
        25,
        () =>
          Object.fromEntries(
            Array.from({ length: rng.int(0, 4) }, () => [
              rng.pick(['id', 'nodes', 'edges', 'source', 'target', 'x', '__proto__', 'constructor', 'metrics']),
              this.anyJson(depth + 1),
            ]),
          ),
      ],
    ] as const)();
  }

  /** Something close to a circuit graph: nodes and edges with ids, some broken. */
  private graph(): unknown {
    const rng = this.rng;
    const n = rng.weighted([
      [85, rng.int(0, 6)],
      [14, rng.int(7, 200)],
      [1, rng.int(5000, 9000)],
    ] as const);
    const nodeId = (i: number) => (rng.chance(0.97) ? `n${i}` : rng.pick<unknown>([null, 5, {}, '', 'n0']));
    const nodes = Array.from({ length: n }, (_, i) =>
      rng.chance(0.95)
        ? {
            id: nodeId(i),
            ...(rng.chance(0.3) ? { feature: rng.int(-1, 10), layer: rng.int(0, 3), label: this.string() } : {}),
            ...(rng.chance(0.1) ? { activation: rng.pick([1, -1, 1e308, 'x', null]) } : {}),
          }
        : rng.pick(WRONG_VALUES),
    );
    const edges = Array.from({ length: rng.int(0, Math.min(n * 2, 20)) }, () =>
      rng.chance(0.95)
        ? {
            source: `n${rng.int(0, n + 1)}`,
            target: `n${rng.int(0, n + 1)}`,
            weight: rng.pick<unknown>([rng.next(), -1, 0, 'heavy', null]),
          }
        : rng.pick(WRONG_VALUES),
    );
    const graph: Record<string, unknown> = { nodes, edges };
    if (rng.chance(0.2)) graph.metrics = { faithfulness: rng.pick<unknown>([rng.next(), 'x', null, 2, -5]) };
    if (rng.chance(0.05)) delete graph[rng.pick(['nodes', 'edges'])];
    return rng.chance(0.95) ? graph : rng.pick<unknown>([[graph], 'graph', 5, null]);
  }

  /** A document broken in one place: cut short, a character dropped, or a brace doubled. */
  private mangle(query: string): string {
    const rng = this.rng;
    const at = rng.int(0, query.length);
    return rng.weighted([
      [40, () => query.slice(0, at)],
      [30, () => query.slice(0, at) + query.slice(at + 1)],
      [
        15,
        () => `${query.slice(0, at)}${rng.pick(['{', '}', '(', '"', '$', '...', '@', '#', '\\'])}${query.slice(at)}`,
      ],
      [15, () => `${query.slice(0, at)}{ ${'me { '.repeat(rng.int(50, 3000))}${query.slice(at)}`],
    ] as const)();
  }
}

/**
 * A GraphQL literal for a value (enum names unquoted where the type is an enum). Past `depth` 500 a value is cut
 * to 1: deeper is over the parser's token limit anyway.
 */
export function literal(value: unknown, type?: GraphQLInputType, depth = 0): string {
  if (depth > 500) return '1';
  const named = type ? getNamedType(type) : undefined;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return named && isEnumType(named) && /^[_A-Za-z]\w*$/.test(value) ? value : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = type && isNonNullType(type) ? type.ofType : type;
  if (Array.isArray(value)) {
    const item = inner && isListType(inner) ? inner.ofType : undefined;
    return `[${value.map((v) => literal(v, item, depth + 1)).join(', ')}]`;
  }
  const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
  const entries = Object.entries(value as Record<string, unknown>).filter(([key]) => /^[_A-Za-z]\w*$/.test(key));
  return `{${entries.map(([key, v]) => `${key}: ${literal(v, fields[key]?.type, depth + 1)}`).join(', ')}}`;
}

const TEXT_CHARS = 'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-_.@#%&é✓';

function randomText(rng: Rng, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += TEXT_CHARS[rng.int(0, TEXT_CHARS.length - 1)];
  return text;
}

/** [[[...]]] or {"a":{"a":...}} `levels` deep, built without recursion. */
export function nestedJson(levels: number, objects: boolean): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = objects ? { a: value } : [value];
  return value;
}

/** The same, as text: for bodies too deep for JSON.stringify's recursion. */
export function nestedJsonText(levels: number, objects: boolean): string {
  return objects ? `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}` : `${'['.repeat(levels)}1${']'.repeat(levels)}`;
}

/** One HTTP request as bytes on a fresh socket. */
export interface RawHttpCase {
  kind: 'raw-http';
  bytes: Buffer;
  /** Close our side this long after writing (a client that leaves mid-request): no answer is owed. */
  hangUpAfterMs?: number;
  /** Whether a complete request went out, so an answer is owed. */
  expectAnswer: boolean;
}

/** A GraphQL request over fetch: a JSON POST, or a GET with the operation in the query string. */
export interface GraphQLHttpCase {
  kind: 'graphql-http';
  method: 'GET' | 'POST';
  search: string;
  headers: Record<string, string>;
  body?: string;
}

export type WsFrame =
  | { type: 'text'; data: string }
  | { type: 'binary'; data: Buffer }
  | { type: 'pause'; ms: number }
  /** Wait for connection_ack, as a client does before it subscribes (without: subscribe races the init). */
  | { type: 'await-ack' }
  /** graphql-ws's own over-size case: one message bigger than the server's limit. */
  | { type: 'oversize' };

/** A graphql-ws session: the upgrade's headers and protocols, the frames to send, then how the client leaves. */
export interface WsCase {
  kind: 'ws';
  protocols: string[];
  headers: Record<string, string>;
  frames: WsFrame[];
  end: 'close' | 'terminate' | 'close-code' | 'wait';
  closeCode: number;
}

/** A WebSocket handshake by hand, then frames a library would never send (bad opcodes, unmasked, bad UTF-8). */
export interface RawWsCase {
  kind: 'raw-ws';
  bytes: Buffer;
}

export type FuzzCase = RawHttpCase | GraphQLHttpCase | WsCase | RawWsCase;

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/graphql-response+json',
  'application/graphql',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/jsonx',
  '',
  'ȧpplication/json',
];

const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'get', 'BREW', 'M-SEARCH'];

/** Every kind of case, one at a time, from one PRNG: the same seed gives the same sequence. */
export class CaseGenerator {
  readonly operations: OperationGenerator;

  constructor(
    private readonly rng: Rng,
    private readonly pool: FuzzPool,
  ) {
    this.operations = new OperationGenerator(rng, pool);
  }

  next(): FuzzCase {
    return this.rng.weighted<() => FuzzCase>([
      [56, () => this.graphqlHttp()],
      [24, () => this.rawHttp()],
      [18, () => this.ws()],
      [2, () => this.rawWs()],
    ])();
  }

  /** The JSON of a GraphQL request body: one operation, a batch, or something that is not an operation. */
  private graphqlBody(): string {
    const rng = this.rng;
    return rng.weighted([
      [86, () => safeStringify(this.operations.operation())],
      [5, () => safeStringify(Array.from({ length: rng.int(0, 4) }, () => this.operations.operation()))],
      [3, () => safeStringify({ ...this.operations.operation(), extensions: rng.pick(WRONG_VALUES) })],
      [2, () => safeStringify({ query: this.operations.operation().query, variables: this.operations.json(0) })],
      [1, () => `{"query":"{ __typename }","variables":${nestedJsonText(rng.int(1000, 100_000), rng.chance(0.5))}}`],
      [2, () => safeStringify({ query: rng.pick(WRONG_VALUES), variables: rng.pick(WRONG_VALUES) })],
    ] as const)();
  }

  private cookie(): string | undefined {
    const rng = this.rng;
    return rng.weighted<() => string | undefined>([
      [45, () => rng.pick(this.pool.cookies)],
      [35, () => undefined],
      [
        20,
        () =>
          rng.pick([
            `wb_session=${rng.bytes(16).toString('hex')}`,
            'wb_session=',
            'wb_session=%zz',
            `wb_session=${rng.pick(this.pool.ids)}`,
            `${rng.pick(this.pool.cookies)}; wb_session=other`,
            'a=b; c',
            ';;;',
            `wb_session=${'a'.repeat(4000)}`,
          ]),
      ],
    ])();
  }

  /** A request that may sign out goes with the spare session instead of a kept one. */
  private spareSessions(headers: Record<string, string>, text: string): void {
    if (!text.includes('signOut') || !headers.cookie) return;
    for (const cookie of this.pool.cookies) {
      if (headers.cookie.includes(cookie)) headers.cookie = this.pool.signOutCookie;
    }
  }

  private graphqlHttp(): GraphQLHttpCase {
    const rng = this.rng;
    const headers: Record<string, string> = {};
    const cookie = this.cookie();
    if (cookie) headers.cookie = cookie;
    if (rng.chance(0.1)) {
      headers['x-share-token'] = rng.weighted([
        [60, () => rng.pick(this.pool.shareTokens)],
        [20, () => rng.bytes(24).toString('base64url')],
        [20, () => `${rng.pick(this.pool.shareTokens)},${rng.pick(GARBAGE_STRINGS.filter(isHeaderSafe))}`],
      ] as const)();
    }
    if (rng.chance(0.9)) {
      headers['content-type'] = rng.chance(0.9) ? 'application/json' : rng.pick(CONTENT_TYPES.filter(isHeaderSafe));
      const body = this.graphqlBody();
      this.spareSessions(headers, body);
      return { kind: 'graphql-http', method: 'POST', search: '', headers, body };
    }
    const operation = this.operations.operation();
    const params = new URLSearchParams();
    if (typeof operation.query === 'string') params.set('query', operation.query);
    if (operation.variables !== undefined) params.set('variables', safeStringify(operation.variables));
    if (typeof operation.operationName === 'string') params.set('operationName', operation.operationName);
    // Apollo's CSRF rule: a GET needs a non-simple header to run.
    if (rng.chance(0.7)) headers['apollo-require-preflight'] = 'true';
    let search = `?${params}`;
    if (rng.chance(0.1)) search += rng.pick(['&query=%zz', '&variables=%7B', '&extensions=x', '%', '&&&']);
    // Over Node's 16 KB header limit the request line is refused with 431.
    if (search.length > 12_000) search = search.slice(0, rng.int(0, 12_000));
    this.spareSessions(headers, search);
    return { kind: 'graphql-http', method: 'GET', search, headers };
  }

  private path(): string {
    const rng = this.rng;
    return rng.weighted([
      [45, () => '/graphql'],
      [10, () => `/graphql?query=${encodeURIComponent(this.operations.operation('query').query).slice(0, 4000)}`],
      [8, () => '/healthz'],
      [8, () => rng.pick(this.pool.paths)],
      [
        8,
        () =>
          `/api/sae-encoder/${rng.pick([
            '',
            '%zz',
            '..%2F..%2Fetc%2Fpasswd',
            `${rng.pick(this.pool.strings)}/${rng.pick(this.pool.strings)}`,
            'demo/x/fp16.onnx',
            'a/b/c/d/e',
            '%00',
          ])}`,
      ],
      [
        21,
        () =>
          rng.pick([
            '/',
            '//',
            '///graphql',
            '/%zz',
            '/graphql%00',
            '/GRAPHQL',
            '/graphql/',
            '/healthz/../graphql',
            '/api/',
            '/api/%E0%A4%A',
            '/nope',
            '*',
            'http://localhost/graphql',
            'https://evil.example/healthz',
            'ftp://x/graphql',
            'graphql',
            `/${'a'.repeat(rng.int(100, 12_000))}`,
            '/graphql?%',
            '/graphql#frag',
            '/\u00e9',
          ]),
      ],
    ] as const)();
  }

  private rawHttp(): RawHttpCase {
    const rng = this.rng;
    const method = rng.weighted([
      [45, 'POST'],
      [30, 'GET'],
      [25, rng.pick(METHODS)],
    ] as const);
    const path = this.path();
    const version = rng.weighted([
      [95, 'HTTP/1.1'],
      [3, 'HTTP/1.0'],
      [2, rng.pick(['HTTP/2.0', 'HTTP/1.1x', 'HTTP/9.9', ''])],
    ] as const);
    const headers: string[] = [];
    if (rng.chance(0.97))
      headers.push(`Host: ${rng.chance(0.95) ? '127.0.0.1' : rng.pick(['', 'evil.example', 'a b'])}`);
    headers.push('Connection: close');
    if (rng.chance(0.8))
      headers.push(`Content-Type: ${rng.chance(0.7) ? 'application/json' : rng.pick(CONTENT_TYPES)}`);
    const cookie: Record<string, string> = {};
    const chosen = this.cookie();
    if (chosen) cookie.cookie = chosen;
    if (rng.chance(0.08)) headers.push(`X-Share-Token: ${rng.pick([...this.pool.shareTokens, 'x', '', 'a,b,c'])}`);
    if (rng.chance(0.04)) headers.push(`X-Share-Token: ${rng.pick(this.pool.shareTokens)}`);
    if (rng.chance(0.05)) headers.push(`X-Forwarded-For: ${rng.pick(['1.2.3.4', 'garbage', ', ,', '::1, 10.0.0.1'])}`);
    if (rng.chance(0.05)) headers.push(`Origin: ${rng.pick(['https://evil.example', 'null', 'http://127.0.0.1'])}`);
    if (rng.chance(0.05)) headers.push('Apollo-Require-Preflight: true');
    if (rng.chance(0.05)) headers.push(`Accept: ${rng.pick(['text/html', 'application/json', '*/*', 'x/y;q=nope'])}`);
    if (rng.chance(0.02)) headers.push('Expect: 100-continue');
    if (rng.chance(0.02)) headers.push(`Upgrade: websocket\r\nConnection: Upgrade`);
    if (rng.chance(0.02)) headers.push(rng.pick(['not a header', 'X-Bad\u0001: x', ' folded: line', 'X: \u00ff']));
    if (rng.chance(0.005)) headers.push(`X-Big: ${'a'.repeat(20_000)}`);
    const hasBody = method !== 'GET' && method !== 'HEAD' ? rng.chance(0.9) : rng.chance(0.1);
    let body = hasBody ? this.rawBody() : Buffer.alloc(0);
    this.spareSessions(cookie, body.toString('latin1') + path);
    if (cookie.cookie) headers.push(`Cookie: ${cookie.cookie}`);
    const framing = rng.weighted([
      [84, 'length'],
      [4, 'shorter'],
      [4, 'longer'],
      [3, 'none'],
      [3, 'chunked'],
      [2, 'bad'],
    ] as const);
    let hangUpAfterMs: number | undefined;
    let expectAnswer = true;
    if (framing === 'length' && body.length) headers.push(`Content-Length: ${body.length}`);
    if (framing === 'shorter') headers.push(`Content-Length: ${rng.int(0, Math.max(0, body.length - 1))}`);
    if (framing === 'longer') {
      headers.push(`Content-Length: ${body.length + rng.int(1, 100_000)}`);
      hangUpAfterMs = rng.int(10, 200);
      expectAnswer = false;
    }
    if (framing === 'chunked') {
      headers.push('Transfer-Encoding: chunked');
      body = rng.chance(0.7)
        ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
        : Buffer.from(rng.pick(['zz\r\nabc\r\n0\r\n\r\n', '5\r\nab', '-1\r\n\r\n', `${body.length}\r\n`]));
      if (!body.toString('latin1').endsWith('0\r\n\r\n')) {
        hangUpAfterMs = rng.int(10, 200);
        expectAnswer = false;
      }
    }
    if (framing === 'bad') {
      headers.push(
        rng.pick([
          'Content-Length: abc',
          'Content-Length: -5',
          'Content-Length: 1, 2',
          `Content-Length: ${body.length}\r\nContent-Length: ${body.length + 1}`,
          `Content-Length: ${body.length}\r\nTransfer-Encoding: chunked`,
          'Content-Length: 99999999999999999999',
        ]),
      );
    }
    const line = version ? `${method} ${path} ${version}` : `${method} ${path}`;
    const head = Buffer.from(`${line}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
    // Methods Node hands to other events (CONNECT) or upgrades never get a plain answer: no hang to report.
    if (headers.some((h) => h.startsWith('Upgrade'))) expectAnswer = false;
    if (rng.chance(0.01))
      return {
        kind: 'raw-http',
        bytes: head.subarray(0, rng.int(1, head.length)),
        hangUpAfterMs: 50,
        expectAnswer: false,
      };
    return { kind: 'raw-http', bytes: Buffer.concat([head, body]), hangUpAfterMs, expectAnswer };
  }

  private rawBody(): Buffer {
    const rng = this.rng;
    const json = () => this.graphqlBody();
    return rng.weighted([
      [60, () => Buffer.from(json())],
      [10, () => Buffer.from(json().slice(0, rng.int(0, 200)))],
      [8, () => Buffer.from(randomTextRaw(rng, rng.int(1, 300)))],
      [5, () => rng.bytes(rng.int(1, 300))],
      [
        5,
        () =>
          Buffer.from(rng.pick(['null', '[]', '5', '"x"', '{}', 'true', '{"query":null}', '{"__proto__":{"x":1}}'])),
      ],
      [4, () => Buffer.from(`query=${encodeURIComponent('{ me { id } }')}&variables=%7B%7D`)],
      [4, () => Buffer.concat([Buffer.from('{"query":"{ me { id } }","x":"'), rng.bytes(50), Buffer.from('"}')])],
      [1, () => Buffer.from(`{"query":"{ __typename }","pad":"${'x'.repeat(rng.int(100_000, 2_000_000))}"}`)],
      [1, () => Buffer.from(`${' '.repeat(rng.int(1000, 200_000))}{"query":"{ __typename }"}`)],
    ] as const)();
  }

  private ws(): WsCase {
    const rng = this.rng;
    const headers: Record<string, string> = {};
    const cookie = this.cookie();
    if (cookie) headers.cookie = cookie;
    if (rng.chance(0.08)) headers.origin = rng.pick(['https://evil.example', 'null', 'http://127.0.0.1']);
    const protocols = rng.weighted([
      [90, ['graphql-transport-ws']],
      [4, ['graphql-ws']],
      [3, []],
      [3, rng.pick([['nope'], ['graphql-ws', 'graphql-transport-ws'], ['x', 'graphql-transport-ws']])],
    ] as const);
    const frames: WsFrame[] = [];
    const init = () => {
      const payload = rng.weighted<unknown>([
        [50, undefined],
        [20, {}],
        [15, { shareToken: rng.pick(this.pool.shareTokens) }],
        [10, { shareToken: rng.pick(WRONG_VALUES) }],
        [5, rng.pick(WRONG_VALUES)],
      ]);
      return safeStringify(payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload });
    };
    if (rng.chance(0.88)) {
      frames.push({ type: 'text', data: init() });
      if (rng.chance(0.9)) frames.push({ type: 'await-ack' });
    }
    const ids: string[] = [];
    const count = rng.weighted([
      [60, 1],
      [30, rng.int(2, 4)],
      [10, rng.int(5, 12)],
    ] as const);
    for (let i = 0; i < count; i++) {
      const message = rng.weighted([
        [60, 'subscribe'],
        [6, 'complete'],
        [4, 'ping'],
        [3, 'pong'],
        [4, 'init'],
        [4, 'duplicate'],
        [5, 'broken'],
        [5, 'binary'],
        [6, 'pause'],
        [3, 'unknown'],
      ] as const);
      if (message === 'subscribe' || (message === 'duplicate' && !ids.length)) {
        const id = rng.chance(0.95) ? `s${i}` : rng.pick<unknown>(['', 5, null, 'x'.repeat(500)]);
        if (typeof id === 'string') ids.push(id);
        const kind = rng.weighted([
          [60, 'subscription'],
          [30, 'query'],
          [10, 'mutation'],
        ] as const);
        const payload = rng.chance(0.97) ? this.operations.operation(kind) : rng.pick(WRONG_VALUES);
        frames.push({ type: 'text', data: safeStringify({ id, type: 'subscribe', payload }) });
      } else if (message === 'duplicate') {
        frames.push({
          type: 'text',
          data: safeStringify({ id: rng.pick(ids), type: 'subscribe', payload: { query: '{ __typename }' } }),
        });
      } else if (message === 'complete') {
        frames.push({
          type: 'text',
          data: safeStringify({ id: ids.length ? rng.pick(ids) : 'none', type: 'complete' }),
        });
      } else if (message === 'ping' || message === 'pong') {
        frames.push({
          type: 'text',
          data: safeStringify({ type: message, payload: rng.chance(0.8) ? undefined : rng.pick(WRONG_VALUES) }),
        });
      } else if (message === 'init') {
        frames.push({ type: 'text', data: init() });
      } else if (message === 'broken') {
        frames.push({
          type: 'text',
          data: rng.pick([
            '',
            'null',
            '[]',
            '{',
            'not json',
            '{"type":5}',
            '{"type":"subscribe"}',
            '{"id":"x","type":"subscribe","payload":{}}',
            '{"type":"next","id":"x","payload":{}}',
          ]),
        });
      } else if (message === 'binary') {
        frames.push({
          type: 'binary',
          data: rng.chance(0.5)
            ? rng.bytes(rng.int(0, 200))
            : Buffer.from(safeStringify({ id: `b${i}`, type: 'subscribe', payload: { query: '{ __typename }' } })),
        });
      } else if (message === 'pause') {
        frames.push({ type: 'pause', ms: rng.int(1, 50) });
      } else {
        frames.push({
          type: 'text',
          data: safeStringify({
            type: rng.pick(['error', 'connection_ack', 'nope', 'START', 'start']),
            id: 'x',
            payload: {},
          }),
        });
      }
    }
    if (rng.chance(0.002)) frames.push({ type: 'oversize' });
    this.spareSessions(headers, frames.map((frame) => (frame.type === 'text' ? frame.data : '')).join());
    return {
      kind: 'ws',
      protocols: [...protocols],
      headers,
      frames,
      end: rng.weighted([
        [40, 'close'],
        [25, 'terminate'],
        [10, 'close-code'],
        [25, 'wait'],
      ] as const),
      closeCode: rng.pick([1000, 1001, 3000, 4000, 4999]),
    };
  }

  private rawWs(): RawWsCase {
    const rng = this.rng;
    const handshake = Buffer.from(
      'GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${rng.bytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
        'Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
    );
    const init = Buffer.from('{"type":"connection_init"}');
    const frames = rng.weighted([
      [10, () => [wsFrame(0x1, init, { mask: false })]],
      [10, () => [wsFrame(0x1, init, { rsv: 0x40 })]],
      [10, () => [wsFrame(rng.pick([0x3, 0x7, 0xb, 0xf]), init)]],
      [10, () => [wsFrame(0x1, Buffer.from([0xff, 0xfe, 0xc3]))]],
      [8, () => [wsFrame(0x9, Buffer.from('x'), { fin: false })]],
      [8, () => [wsFrame(0x9, Buffer.alloc(200))]],
      [8, () => [wsFrame(0x0, init)]],
      [8, () => [wsFrame(0x8, Buffer.from([0x03, rng.pick([0xe7, 0xed, 0xee])]))]],
      [6, () => [wsFrame(0x8, Buffer.from([0x03]))]],
      [6, () => [Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])]],
      [8, () => [rng.bytes(rng.int(1, 64))]],
      [
        8,
        () => {
          const frame = wsFrame(0x1, init);
          return [frame.subarray(0, rng.int(1, frame.length - 1))];
        },
      ],
      [
        10,
        () => [
          wsFrame(0x1, init),
          wsFrame(0x1, Buffer.from('{"id":"1","type":"subs'), { fin: false }),
          wsFrame(0x0, Buffer.from('cribe","payload":{"query":"{ __typename }"}}')),
          rng.chance(0.5) ? wsFrame(0x1, Buffer.from('x')) : wsFrame(0x8, Buffer.from([0x03, 0xe8])),
        ],
      ],
    ] as const)();
    return { kind: 'raw-ws', bytes: Buffer.concat([handshake, ...frames]) };
  }
}

/** One WebSocket frame as a client writes it: masked unless told not to. */
export function wsFrame(
  opcode: number,
  payload: Buffer,
  options: { mask?: boolean; fin?: boolean; rsv?: number } = {},
) {
  const { mask = true, fin = true, rsv = 0 } = options;
  const head: number[] = [(fin ? 0x80 : 0) | rsv | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (payload.length < 126) head.push(maskBit | payload.length);
  else head.push(maskBit | 126, payload.length >> 8, payload.length & 0xff);
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] as number)));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** JSON.stringify, but a value too deep for it becomes a placeholder rather than a thrown RangeError. */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '{"query":"{ __typename }"}';
  }
}

function randomTextRaw(rng: Rng, length: number): string {
  return Array.from({ length }, () => String.fromCharCode(rng.int(32, 126))).join('');
}

/** Header values fetch accepts (Latin-1, no line breaks). */
function isHeaderSafe(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}
