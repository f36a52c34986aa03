// Who may call what: one row for every query, mutation and subscription of the schema (a coverage check fails when
// a new operation has no row), against every kind of actor, called over the real API as any client could. Written
// from the rules in services/policy.ts and the schema's docs; authorization.test.ts and roles.test.ts go deeper into
// circuit access by visibility and into role management.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningApp } from '../app.js';
import { typeDefs } from '../graphql/schema.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { writeTinyModelFixture } from '../testing/fixtures.js';
import { type GraphQLResponse, TestClient } from '../testing/graphql-client.js';

/**
 * Columns: anon (signed out); outsdr (signed in, owner of another team, B); viewer, member, admin, owner (of team
 * A, which owns every resource below unless the target says otherwise); oper (signed in, named in OPERATOR_EMAILS,
 * in no team); share-link holders, signed in and in no team (one person: the columns differ by the token sent), with
 * a link to the target circuit (or, for anything not about one circuit, to the TEAM circuit): lnkV (VIEW), lnkC (COMMENT), lnkE (EDIT), lnkRev (an EDIT link,
 * revoked), lnkExp (an EDIT link, expired); anLnk: signed out, holding the EDIT link.
 *
 * Cells: Y allowed (for a list: the target is in it); hid: answered, but the target is left out (subscriptions: the
 * event never arrives); UA UNAUTHENTICATED, FB FORBIDDEN, NF NOT_FOUND, LO LAST_OWNER, WC WRONG_CREDENTIALS, IE
 * INVITATION_EXPIRED (only whoever holds an expired invitation's token can learn it expired), SE SHARE_LINK_EXPIRED
 * (the same for a share link: where the link, had it not expired, was what let the call see the circuit or do it); a
 * denied mutation must also leave every table as it was; -: not run (signing up, in and out do not depend on roles or
 * links: a signed-out and a signed-in caller stand for all, as each sign-in or sign-up costs a deliberately slow hash).
 *
 * Circuits of team A, all created by the owner except MINE (the member's): PRIVATE, TEAM, UNLISTED, PUBLIC by
 * visibility, MINE is TEAM. Labels: TEAM and PUBLIC ones of team A. Comment targets: CIRCUIT:<circuit>,
 * NODE:<circuit>, LABEL:<label>, FEATURE:A (team A's thread of a feature) and FEATURE:public. Jobs: teamJob (a
 * circuit job the member started for team A), opJob (the operator's self-test job, no team). Jobs stay queued: this
 * server runs none.
 */
const MATRIX = `
operation            target          anon   outsdr viewer member admin  owner  oper   lnkV   lnkC   lnkE   lnkRev lnkExp anLnk
featureDashboard     computed        Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
job                  teamJob         NF     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
job                  opJob           NF     NF     NF     NF     NF     NF     Y      NF     NF     NF     NF     NF     NF
labelDrafting        -               Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
models               -               Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
model                demo            Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
tokenize             demo            Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
activations          demo            Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
steerFeature         demo            Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
learnCircuit         demo            Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
me                   -               Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
myTeams              -               UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
team                 A               UA     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
invitation           valid           Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
invitation           revoked         NF     NF     NF     NF     NF     NF     NF     NF     NF     NF     NF     NF     NF
invitation           expired         IE     IE     IE     IE     IE     IE     IE     IE     IE     IE     IE     IE     IE
featureLabels        TEAM            hid    hid    Y      Y      Y      Y      hid    hid    hid    hid    hid    hid    hid
featureLabels        PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
shownLabels          TEAM            hid    hid    Y      Y      Y      Y      hid    hid    hid    hid    hid    hid    hid
shownLabels          PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
label                TEAM            NF     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
label                PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
saeFeatures          A               UA     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
saeFeatures          PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
saeCoverage          A               UA     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
saeCoverage          PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
saeFeatureNeighbours A               UA     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
searchLabels         TEAM            hid    hid    Y      Y      Y      Y      hid    hid    hid    hid    hid    hid    hid
searchLabels         PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
exportLabels         A               UA     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
circuit              PRIVATE         NF     NF     NF     NF     Y      Y      NF     Y      Y      Y      NF     SE     Y
circuit              TEAM            NF     NF     Y      Y      Y      Y      NF     Y      Y      Y      NF     SE     Y
circuit              UNLISTED        Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
circuit              PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
comments             CIRCUIT:PRIVATE NF     NF     NF     NF     Y      Y      NF     Y      Y      Y      NF     SE     Y
comments             CIRCUIT:TEAM    NF     NF     Y      Y      Y      Y      NF     Y      Y      Y      NF     SE     Y
comments             NODE:TEAM       NF     NF     Y      Y      Y      Y      NF     Y      Y      Y      NF     SE     Y
comments             CIRCUIT:PUBLIC  Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
comments             LABEL:TEAM      NF     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
comments             LABEL:PUBLIC    Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
comments             FEATURE:A       NF     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
comments             FEATURE:public  Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
reviewQueue          member          UA     hid    hid    Y      hid    hid    hid    hid    hid    hid    hid    hid    UA
myReviewRequests     owner           UA     hid    hid    hid    hid    Y      hid    hid    hid    hid    hid    hid    UA
notifications        member          UA     hid    hid    Y      hid    hid    hid    hid    hid    hid    hid    hid    UA
unreadNotificationCount -            UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
mentionCandidates    CIRCUIT:PRIVATE NF     NF     NF     NF     Y      Y      NF     Y      Y      Y      NF     SE     Y
mentionCandidates    CIRCUIT:TEAM    NF     NF     Y      Y      Y      Y      NF     Y      Y      Y      NF     SE     Y
mentionCandidates    LABEL:TEAM      NF     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
startCircuitJob      A               UA     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
startPromptGraphJob  A               UA     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
signUp               -               Y      -      -      Y      -      -      -      -      -      -      -      -      -
signIn               own             Y      -      -      Y      -      -      -      -      -      -      -      -      -
signIn               wrongPassword   WC     -      -      WC     -      -      -      -      -      -      -      -      -
signOut              -               Y      -      -      Y      -      -      -      -      -      -      -      -      -
createTeam           -               UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
setLabelAcceptVotes  A               UA     NF     FB     FB     Y      Y      NF     NF     NF     NF     NF     NF     UA
addTeamMember        asViewer        UA     NF     FB     FB     Y      Y      NF     NF     NF     NF     NF     NF     UA
addTeamMember        asAdmin         UA     NF     FB     FB     FB     Y      NF     NF     NF     NF     NF     NF     UA
removeTeamMember     aViewer         UA     NF     FB     FB     Y      Y      NF     NF     NF     NF     NF     NF     UA
removeTeamMember     self            UA     NF     Y      Y      Y      LO     NF     NF     NF     NF     NF     NF     UA
createInvitation     MEMBER          UA     NF     FB     FB     Y      Y      NF     NF     NF     NF     NF     NF     UA
createInvitation     ADMIN           UA     NF     FB     FB     FB     Y      NF     NF     NF     NF     NF     NF     UA
acceptInvitation     valid           UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
acceptInvitation     revoked         UA     NF     NF     NF     NF     NF     NF     NF     NF     NF     NF     NF     UA
acceptInvitation     expired         UA     IE     IE     IE     IE     IE     IE     IE     IE     IE     IE     IE     UA
revokeInvitation     MEMBER          NF     NF     NF     NF     Y      Y      NF     NF     NF     NF     NF     NF     NF
proposeLabel         A               UA     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
importLabels         A               UA     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
editLabel            TEAM            NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
editLabel            PUBLIC          UA     FB     FB     Y      Y      Y      FB     FB     FB     FB     FB     FB     UA
voteLabel            TEAM            NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
voteLabel            PUBLIC          UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
createCircuit        A               UA     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
saveCircuitVersion   PRIVATE         NF     NF     NF     NF     Y      Y      NF     FB     FB     Y      NF     SE     UA
saveCircuitVersion   TEAM            NF     NF     FB     Y      Y      Y      NF     FB     FB     Y      NF     SE     UA
saveCircuitVersion   PUBLIC          UA     FB     FB     Y      Y      Y      FB     FB     FB     Y      FB     SE     UA
forkCircuit          TEAM>A          NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     SE     UA
forkCircuit          PRIVATE>A       NF     NF     NF     NF     Y      Y      NF     NF     NF     NF     NF     SE     UA
forkCircuit          PUBLIC>B        UA     Y      NF     NF     NF     NF     NF     NF     NF     NF     NF     NF     UA
setCircuitVisibility PRIVATE         NF     NF     NF     NF     Y      Y      NF     FB     FB     FB     NF     SE     UA
setCircuitVisibility TEAM            NF     NF     FB     FB     Y      Y      NF     FB     FB     FB     NF     SE     UA
setCircuitVisibility MINE            NF     NF     FB     Y      Y      Y      NF     FB     FB     FB     NF     SE     UA
setCircuitVisibility PUBLIC          UA     FB     FB     FB     Y      Y      FB     FB     FB     FB     FB     FB     UA
voteCircuit          PRIVATE         NF     NF     NF     NF     Y      Y      NF     FB     Y      Y      NF     SE     UA
voteCircuit          TEAM            NF     NF     FB     Y      Y      Y      NF     FB     Y      Y      NF     SE     UA
voteCircuit          PUBLIC          UA     FB     FB     Y      Y      Y      FB     FB     Y      Y      FB     SE     UA
createShareLink      PRIVATE         NF     NF     NF     NF     Y      Y      NF     FB     FB     FB     NF     SE     UA
createShareLink      TEAM            NF     NF     FB     FB     Y      Y      NF     FB     FB     FB     NF     SE     UA
createShareLink      MINE            NF     NF     FB     Y      Y      Y      NF     FB     FB     FB     NF     SE     UA
createShareLink      PUBLIC          UA     FB     FB     FB     Y      Y      FB     FB     FB     FB     FB     FB     UA
revokeShareLink      PRIVATE         NF     NF     NF     NF     Y      Y      NF     FB     FB     FB     NF     SE     UA
revokeShareLink      TEAM            NF     NF     FB     FB     Y      Y      NF     FB     FB     FB     NF     SE     UA
revokeShareLink      MINE            NF     NF     FB     Y      Y      Y      NF     FB     FB     FB     NF     SE     UA
revokeShareLink      PUBLIC          UA     FB     FB     FB     Y      Y      FB     FB     FB     FB     FB     FB     UA
addComment           CIRCUIT:PRIVATE NF     NF     NF     NF     Y      Y      NF     FB     Y      Y      NF     SE     UA
addComment           CIRCUIT:TEAM    NF     NF     FB     Y      Y      Y      NF     FB     Y      Y      NF     SE     UA
addComment           NODE:TEAM       NF     NF     FB     Y      Y      Y      NF     FB     Y      Y      NF     SE     UA
addComment           CIRCUIT:PUBLIC  UA     FB     FB     Y      Y      Y      FB     FB     Y      Y      FB     SE     UA
addComment           LABEL:TEAM      NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
addComment           LABEL:PUBLIC    UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
addComment           FEATURE:A       NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
addComment           FEATURE:public  UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
setCommentResolved   CIRCUIT:PRIVATE NF     NF     NF     NF     Y      Y      NF     FB     Y      Y      NF     SE     UA
setCommentResolved   CIRCUIT:TEAM    NF     NF     FB     Y      Y      Y      NF     FB     Y      Y      NF     SE     UA
setCommentResolved   NODE:TEAM       NF     NF     FB     Y      Y      Y      NF     FB     Y      Y      NF     SE     UA
setCommentResolved   CIRCUIT:PUBLIC  UA     FB     FB     Y      Y      Y      FB     FB     Y      Y      FB     SE     UA
setCommentResolved   LABEL:TEAM      NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
setCommentResolved   LABEL:PUBLIC    UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
setCommentResolved   FEATURE:A       NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
setCommentResolved   FEATURE:public  UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
requestReview        PRIVATE         NF     NF     NF     NF     Y      Y      NF     FB     FB     Y      NF     SE     UA
requestReview        TEAM            NF     NF     FB     Y      Y      Y      NF     FB     FB     Y      NF     SE     UA
requestReview        PUBLIC          UA     FB     FB     Y      Y      Y      FB     FB     FB     Y      FB     SE     UA
decideReview         TEAM            UA     NF     NF     Y      NF     NF     NF     NF     NF     NF     NF     NF     UA
markNotificationRead member          UA     NF     NF     Y      NF     NF     NF     NF     NF     NF     NF     NF     UA
markAllNotificationsRead -           UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
computeDashboards    fresh           UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
computeDashboards    computed        UA     FB     FB     FB     FB     FB     Y      FB     FB     FB     FB     FB     UA
explainFeatures      A               UA     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
draftLabelFromTokenPattern A          UA     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
evaluateSelection    PRIVATE         UA     NF     NF     NF     Y      Y      NF     Y      Y      Y      NF     SE     UA
evaluateSelection    TEAM            UA     NF     Y      Y      Y      Y      NF     Y      Y      Y      NF     SE     UA
evaluateSelection    PUBLIC          UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
ablateSelection      PRIVATE         UA     NF     NF     NF     Y      Y      NF     Y      Y      Y      NF     SE     UA
ablateSelection      TEAM            UA     NF     Y      Y      Y      Y      NF     Y      Y      Y      NF     SE     UA
ablateSelection      PUBLIC          UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
saveSteeringEvidence TEAM            NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
saveSteeringEvidence PUBLIC          UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
saveAblationEvidence PRIVATE         NF     NF     NF     NF     Y      Y      NF     FB     Y      Y      NF     SE     UA
saveAblationEvidence TEAM            NF     NF     FB     Y      Y      Y      NF     FB     Y      Y      NF     SE     UA
saveAblationEvidence PUBLIC          UA     FB     FB     Y      Y      Y      FB     FB     Y      Y      FB     SE     UA
startSelftestJob     -               UA     FB     FB     FB     FB     FB     Y      FB     FB     FB     FB     FB     UA
cancelJob            teamJob         NF     NF     FB     Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
cancelJob            opJob           NF     NF     NF     NF     NF     NF     Y      NF     NF     NF     NF     NF     NF
myTeamAdded          -               UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
featureChanged       TEAM            hid    hid    Y      Y      Y      Y      hid    hid    hid    hid    hid    hid    hid
featureChanged       PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
circuitChanged       PRIVATE         NF     NF     NF     NF     Y      Y      NF     Y      Y      Y      NF     SE     Y
circuitChanged       TEAM            NF     NF     Y      Y      Y      Y      NF     Y      Y      Y      NF     SE     Y
circuitChanged       PUBLIC          Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y
teamChanged          A               UA     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     UA
myInbox              -               UA     Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      Y      UA
jobProgress          teamJob         NF     NF     Y      Y      Y      Y      NF     NF     NF     NF     NF     NF     NF
jobProgress          opJob           NF     NF     NF     NF     NF     NF     Y      NF     NF     NF     NF     NF     NF
`;

const ACTORS = [
  'anon',
  'outsdr',
  'viewer',
  'member',
  'admin',
  'owner',
  'oper',
  'lnkV',
  'lnkC',
  'lnkE',
  'lnkRev',
  'lnkExp',
  'anLnk',
] as const;
type Actor = (typeof ACTORS)[number];
const SIGNED_IN = ACTORS.filter((a) => a !== 'anon' && a !== 'anLnk');
const TEAM_A_ROLES = { owner: 'OWNER', admin: 'ADMIN', member: 'MEMBER', viewer: 'VIEWER' } as const;
type LinkKind = 'VIEW' | 'COMMENT' | 'EDIT' | 'revoked' | 'expired';
const LINK_OF: Partial<Record<Actor, LinkKind>> = {
  lnkV: 'VIEW',
  lnkC: 'COMMENT',
  lnkE: 'EDIT',
  lnkRev: 'revoked',
  lnkExp: 'expired',
  anLnk: 'EDIT',
};
const CODES: Record<string, string> = {
  UNAUTHENTICATED: 'UA',
  FORBIDDEN: 'FB',
  NOT_FOUND: 'NF',
  LAST_OWNER: 'LO',
  WRONG_CREDENTIALS: 'WC',
  INVITATION_EXPIRED: 'IE',
  SHARE_LINK_EXPIRED: 'SE',
};
const CIRCUIT_KEYS = ['PRIVATE', 'TEAM', 'UNLISTED', 'PUBLIC', 'MINE'] as const;
type CircuitKey = (typeof CIRCUIT_KEYS)[number];

interface Row {
  operation: string;
  target: string;
  cells: Record<Actor, string>;
}

function parseMatrix(): Row[] {
  const [header, ...lines] = MATRIX.trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  const columns = header!.slice(2);
  if (columns.join() !== ACTORS.join()) throw new Error(`matrix columns ${columns} are not ${ACTORS}`);
  return lines.map(([operation, target, ...cells]) => {
    if (cells.length !== ACTORS.length) throw new Error(`${operation} ${target}: ${cells.length} cells`);
    return {
      operation: operation!,
      target: target!,
      cells: Object.fromEntries(ACTORS.map((a, i) => [a, cells[i]!])) as Record<Actor, string>,
    };
  });
}

const PASSWORD = 'a long enough password';
/** The link columns are one person (they differ by the token they carry): each sign-up costs a slow hash. */
const PERSON: Record<string, string> = {
  lnkV: 'holder',
  lnkC: 'holder',
  lnkE: 'holder',
  lnkRev: 'holder',
  lnkExp: 'holder',
};
const PEOPLE = [...new Set([...SIGNED_IN.map((a) => PERSON[a] ?? a), 'addee', 'dummy'])];
const EMAIL: Record<string, string> = Object.fromEntries(
  [...SIGNED_IN, ...PEOPLE].map((a) => [a, `${(PERSON[a] ?? a).toLowerCase()}@matrix.org`]),
);
const MODEL = 'demo';
const SAE_FRESH = 'demo/blocks.1.hook_resid_post';
const SAE_COMPUTED = 'demo/blocks.0.hook_resid_post';
const graph = { nodes: [{ id: 'n' }], edges: [] };
const ENV = {
  WRITE_RATE_BURST: '100000',
  COMPUTE_RATE_BURST: '100000',
  SIGNIN_ACCOUNT_BURST: '100000',
  SIGNIN_ADDRESS_BURST: '100000',
};
const savedEnv = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));

let dir: string;
let testApp: TestApp | undefined;
let app: RunningApp;
const clients = {} as Record<Actor, TestClient>;
const ids: Record<string, string> = {};
let teamA: string;
let teamB: string;
const circuits = {} as Record<
  CircuitKey,
  { id: string; slug: string; tokens: Record<LinkKind, string>; spareLinkId: string }
>;
const labels = {} as Record<'TEAM' | 'PUBLIC', { id: string; featureIndex: number }>;
/** A comment by the owner on each comment target. */
const comments: Record<string, string> = {};
const invitations = {} as { valid: string; revoked: string; expired: string; revocableId: string };
let reviewId: string;
let notificationId: string;
let teamJobId: string;
/** A finished ablation of version 1 of each circuit (made in the database: this server runs no jobs). */
const ablationJobs: Partial<Record<CircuitKey, string>> = {};
let opJobId: string;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The actor's client, carrying the share token their column stands for (for `circuit`, else the TEAM circuit). */
function as(actor: Actor, circuit: CircuitKey = 'TEAM'): TestClient {
  const client = clients[actor];
  const link = LINK_OF[actor];
  client.shareToken = link ? circuits[circuit].tokens[link] : undefined;
  return client;
}

async function signUp(email: string): Promise<{ client: TestClient; id: string }> {
  const client = await TestClient.signUp(app.url, email);
  const { me } = await client.ok<{ me: { id: string } }>('{ me { id } }');
  return { client, id: me.id };
}

const commentTargetCircuit = (target: string): CircuitKey => {
  const [type, key] = target.split(':');
  return type === 'CIRCUIT' || type === 'NODE' ? (key as CircuitKey) : 'TEAM';
};

function commentTarget(target: string) {
  const [type, key] = target.split(':') as [string, string];
  switch (type) {
    case 'CIRCUIT':
      return { type, circuitId: circuits[key as CircuitKey].id };
    case 'NODE':
      return { type, circuitId: circuits[key as CircuitKey].id, nodeId: 'n' };
    case 'LABEL':
      return { type, labelId: labels[key as 'TEAM' | 'PUBLIC'].id };
    case 'FEATURE':
      return { type, modelId: MODEL, saeId: SAE_FRESH, featureIndex: 7, teamId: key === 'A' ? teamA : null };
    default:
      throw new Error(`unknown comment target ${target}`);
  }
}

const featureOf = (label: 'TEAM' | 'PUBLIC') => ({
  modelId: MODEL,
  saeId: SAE_FRESH,
  featureIndex: labels[label].featureIndex,
});

async function startCircuitJob(client: TestClient): Promise<string> {
  const { startCircuitJob } = await client.ok<{ startCircuitJob: { id: string } }>(
    'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
    { i: { teamId: teamA, title: 'job', model: MODEL, dataset: 'simple' } },
  );
  return startCircuitJob.id;
}

async function startSelftestJob(): Promise<string> {
  const { startSelftestJob } = await clients.oper.ok<{ startSelftestJob: { id: string } }>(
    'mutation { startSelftestJob(steps: 1) { id } }',
  );
  return startSelftestJob.id;
}

const latestVersion = async (circuit: CircuitKey) =>
  (
    await clients.owner.ok<{ circuit: { latestVersion: number } }>(
      'query($s: String!) { circuit(slug: $s) { latestVersion } }',
      { s: circuits[circuit].slug },
    )
  ).circuit.latestVersion;

async function addToTeamA(email: string, role: string) {
  await clients.owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
    i: { teamId: teamA, email, role },
  });
}

async function removeFromTeamA(userId: string) {
  const { team } = await clients.owner.ok<{ team: { members: { user: { id: string } }[] } }>(
    'query($id: ID!) { team(id: $id) { members { user { id } } } }',
    { id: teamA },
  );
  if (!team.members.some((m) => m.user.id === userId)) return;
  await clients.owner.ok('mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }', {
    t: teamA,
    u: userId,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: GraphQL answers of many shapes, read field by field
type Data = Record<string, any>;
interface HttpOperation {
  /** The call, as `actor`, on `target`. */
  run(actor: Actor, target: string): Promise<GraphQLResponse<Data>>;
  /** For lists: whether the answer includes the target (else the cell reads `hid`). */
  shows?(data: Data, target: string, actor: Actor): boolean;
  /** Before the call (and before the tables are fingerprinted): makes a target the call consumes. */
  prepare?(actor: Actor, target: string): Promise<void>;
  /** After an allowed call: puts back what it changed that later rows depend on. */
  restore?(actor: Actor, target: string): Promise<void>;
}

/** A target made fresh by `prepare` for the next call. */
const prepared: Record<string, string> = {};

const HTTP: Record<string, HttpOperation> = {
  featureDashboard: {
    run: (a) => as(a).request(`{ featureDashboard(sae: "${SAE_COMPUTED}", featureIndex: 0) { featureIndex } }`),
    shows: (d) => d.featureDashboard !== null,
  },
  labelDrafting: {
    run: (a) => as(a).request('{ labelDrafting { llmConfigured defaultMaxRequests } }'),
  },
  job: {
    run: (a, t) =>
      as(a).request('query($id: ID!) { job(id: $id) { id } }', { id: t === 'opJob' ? opJobId : teamJobId }),
  },
  models: { run: (a) => as(a).request('{ models { id } }'), shows: (d) => d.models.some((m: Data) => m.id === MODEL) },
  model: { run: (a) => as(a).request(`{ model(id: "${MODEL}") { id } }`) },
  tokenize: { run: (a) => as(a).request(`{ tokenize(model: "${MODEL}", text: "The cat") { ids } }`) },
  activations: {
    run: (a) =>
      as(a).request(`{ activations(model: "${MODEL}", hook: "blocks.0.hook_resid_post", text: "The cat") { shape } }`),
  },
  steerFeature: {
    run: (a) =>
      as(a).request(
        `{ steerFeature(model: "${MODEL}", sae: "${SAE_FRESH}", feature: 0, text: "The cat", strength: 1, continuation: 1) { hook } }`,
      ),
  },
  learnCircuit: {
    run: (a) => as(a).request('{ learnCircuit { model cleanPrefix } }'),
    shows: (d) => d.learnCircuit.model === MODEL && d.learnCircuit.cleanPrefix === 'The cat',
  },
  me: {
    run: (a) => as(a).request('{ me { id } }'),
    shows: (d, _t, a) => (d.me?.id ?? null) === (ids[a] ?? null),
  },
  myTeams: { run: (a) => as(a).request('{ myTeams { id } }') },
  team: { run: (a) => as(a).request('query($id: ID!) { team(id: $id) { id } }', { id: teamA }) },
  invitation: {
    run: (a, t) =>
      as(a).request('query($t: String!) { invitation(token: $t) { role } }', {
        t: invitations[t as 'valid' | 'revoked' | 'expired'],
      }),
  },
  featureLabels: {
    run: (a, t) =>
      as(a).request('query($f: FeatureKeyInput!) { featureLabels(feature: $f) { edges { node { id } } } }', {
        f: featureOf(t as 'TEAM' | 'PUBLIC'),
      }),
    shows: (d, t) => d.featureLabels.edges.some((e: Data) => e.node.id === labels[t as 'TEAM' | 'PUBLIC'].id),
  },
  shownLabels: {
    run: (a, t) =>
      as(a).request('query($f: [FeatureKeyInput!]!) { shownLabels(features: $f) { id } }', {
        f: [featureOf(t as 'TEAM' | 'PUBLIC')],
      }),
    shows: (d, t) => d.shownLabels[0]?.id === labels[t as 'TEAM' | 'PUBLIC'].id,
  },
  label: {
    run: (a, t) => as(a).request('query($id: ID!) { label(id: $id) { id } }', { id: labels[t as 'TEAM'].id }),
  },
  // SAE pages: with team A its labels and circuits (members only), without a team the public labels.
  saeFeatures: {
    run: (a, t) =>
      as(a).request(
        'query($s: ID!, $t: ID, $o: Int) { saeFeatures(model: "demo", sae: $s, teamId: $t, offset: $o, first: 1) { edges { node { featureIndex label { id } } } } }',
        { s: SAE_FRESH, t: t === 'A' ? teamA : null, o: labels.PUBLIC.featureIndex },
      ),
    shows: (d, t) => t === 'A' || d.saeFeatures.edges[0]?.node.label !== null,
  },
  saeCoverage: {
    run: (a, t) =>
      as(a).request('query($s: ID!, $t: ID) { saeCoverage(model: "demo", sae: $s, teamId: $t) { labeled } }', {
        s: SAE_FRESH,
        t: t === 'A' ? teamA : null,
      }),
  },
  saeFeatureNeighbours: {
    run: (a) =>
      as(a).request(
        'query($s: ID!, $t: ID) { saeFeatureNeighbours(model: "demo", sae: $s, teamId: $t, featureIndex: 0) { total } }',
        { s: SAE_FRESH, t: teamA },
      ),
  },
  searchLabels: {
    run: (a, t) => as(a).request('query($q: String!) { searchLabels(query: $q) { label { id } } }', { q: t }),
    shows: (d, t) => d.searchLabels.some((h: Data) => h.label.id === labels[t as 'TEAM' | 'PUBLIC'].id),
  },
  exportLabels: {
    run: (a) => as(a).request('query($t: ID!) { exportLabels(teamId: $t, format: JSON) { filename } }', { t: teamA }),
  },
  circuit: {
    run: (a, t) =>
      as(a, t as CircuitKey).request('query($s: String!) { circuit(slug: $s) { id version { number } } }', {
        s: circuits[t as CircuitKey].slug,
      }),
  },
  comments: {
    run: (a, t) =>
      as(a, commentTargetCircuit(t)).request(
        'query($t: CommentTargetInput!) { comments(target: $t) { edges { node { id } } } }',
        { t: commentTarget(t) },
      ),
    shows: (d, t) => d.comments.edges.some((e: Data) => e.node.id === comments[t]),
  },
  reviewQueue: {
    run: (a) => as(a).request('{ reviewQueue { edges { node { id } } } }'),
    shows: (d) => d.reviewQueue.edges.some((e: Data) => e.node.id === reviewId),
  },
  myReviewRequests: {
    run: (a) => as(a).request('{ myReviewRequests { edges { node { id } } } }'),
    shows: (d) => d.myReviewRequests.edges.some((e: Data) => e.node.id === reviewId),
  },
  notifications: {
    run: (a) => as(a).request('{ notifications { id } }'),
    shows: (d) => d.notifications.some((n: Data) => n.id === notificationId),
  },
  unreadNotificationCount: {
    run: (a) => as(a).request('{ unreadNotificationCount }'),
  },
  // Who may be @mentioned on a thread: asking needs what listing its comments needs.
  mentionCandidates: {
    run: (a, t) =>
      as(a, commentTargetCircuit(t)).request(
        'query($t: CommentTargetInput!) { mentionCandidates(target: $t) { id } }',
        { t: commentTarget(t) },
      ),
  },
  startCircuitJob: {
    run: (a) =>
      as(a).request('mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }', {
        i: { teamId: teamA, title: 'job', model: MODEL, dataset: 'simple' },
      }),
  },
  startPromptGraphJob: {
    run: (a) =>
      as(a).request('mutation($i: PromptGraphJobInput!) { startPromptGraphJob(input: $i) { id } }', {
        i: { teamId: teamA, title: 'graph', model: MODEL, prompt: 'The boy near the car' },
      }),
  },
  signUp: {
    run: (a) =>
      as(a)
        .at(app.url)
        .request('mutation($i: SignUpInput!) { signUp(input: $i) { id } }', {
          i: { email: `new-${a.toLowerCase()}@matrix.org`, displayName: 'new', password: PASSWORD },
        }),
  },
  signIn: {
    run: (a, t) =>
      as(a)
        .at(app.url)
        .request('mutation($i: SignInInput!) { signIn(input: $i) { id } }', {
          i: {
            email: EMAIL[a] ?? EMAIL.dummy,
            password: t === 'own' ? PASSWORD : 'not the password at all',
          },
        }),
  },
  signOut: {
    // A session of its own, so the actor's stays open for the rows after this one.
    run: async (a) => {
      const session = new TestClient(app.url);
      if (EMAIL[a]) {
        await session.ok('mutation($i: SignInInput!) { signIn(input: $i) { id } }', {
          i: { email: EMAIL[a], password: PASSWORD },
        });
      }
      return session.request('mutation { signOut }');
    },
  },
  createTeam: { run: (a) => as(a).request('mutation { createTeam(input: { name: "Another" }) { id } }') },
  setLabelAcceptVotes: {
    // The default again: what other rows expect of labels does not change.
    run: (a) =>
      as(a).request('mutation($t: ID!) { setLabelAcceptVotes(teamId: $t, votes: 2) { labelAcceptVotes } }', {
        t: teamA,
      }),
  },
  addTeamMember: {
    run: (a, t) =>
      as(a).request('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
        i: { teamId: teamA, email: EMAIL.addee, role: t === 'asAdmin' ? 'ADMIN' : 'VIEWER' },
      }),
  },
  removeTeamMember: {
    prepare: async (_a, t) => {
      if (t === 'aViewer') await addToTeamA(EMAIL.dummy!, 'VIEWER');
    },
    run: (a, t) =>
      as(a).request('mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }', {
        t: teamA,
        u: t === 'self' ? (ids[a] ?? ids.member) : ids.dummy,
      }),
    restore: async (a, t) => {
      const role = TEAM_A_ROLES[a as keyof typeof TEAM_A_ROLES];
      if (t === 'self' && role) await addToTeamA(EMAIL[a]!, role);
    },
  },
  createInvitation: {
    run: (a, t) =>
      as(a).request('mutation($t: ID!, $r: Role) { createInvitation(teamId: $t, role: $r) { token } }', {
        t: teamA,
        r: t,
      }),
  },
  acceptInvitation: {
    run: (a, t) =>
      as(a).request('mutation($t: String!) { acceptInvitation(token: $t) { id } }', {
        t: invitations[t as 'valid' | 'revoked' | 'expired'],
      }),
    // Those who joined by the link leave again: the rows after this one need them outside team A.
    restore: async (a) => {
      if (!(a in TEAM_A_ROLES) && ids[a]) await removeFromTeamA(ids[a]!);
    },
  },
  revokeInvitation: {
    run: (a) =>
      as(a).request('mutation($id: ID!) { revokeInvitation(id: $id) { id } }', { id: invitations.revocableId }),
  },
  proposeLabel: {
    run: (a) =>
      as(a).request('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
        i: { teamId: teamA, modelId: MODEL, saeId: SAE_FRESH, featureIndex: 5, name: `by ${a}` },
      }),
  },
  importLabels: {
    // A real import (not a dry run) of one label in this app's own format.
    run: (a) =>
      as(a).request('mutation($i: ImportLabelsInput!) { importLabels(input: $i) { created } }', {
        i: {
          teamId: teamA,
          format: 'WORKBENCH',
          dryRun: false,
          text: JSON.stringify({
            labels: [{ modelId: MODEL, saeId: SAE_FRESH, featureIndex: 6, name: `imported by ${a}` }],
          }),
        },
      }),
  },
  editLabel: {
    run: (a, t) =>
      as(a).request('mutation($i: EditLabelInput!) { editLabel(input: $i) { id } }', {
        i: { labelId: labels[t as 'TEAM'].id, name: `edited by ${a}` },
      }),
  },
  voteLabel: {
    run: (a, t) =>
      as(a).request('mutation($id: ID!) { voteLabel(labelId: $id, value: 1) { id } }', { id: labels[t as 'TEAM'].id }),
  },
  createCircuit: {
    run: (a) =>
      as(a).request('mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }', {
        i: { teamId: teamA, title: `by ${a}`, graph },
      }),
  },
  saveCircuitVersion: {
    run: async (a, t) =>
      as(a, t as CircuitKey).request('mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }', {
        i: { circuitId: circuits[t as CircuitKey].id, baseVersion: await latestVersion(t as CircuitKey), graph },
      }),
  },
  forkCircuit: {
    run: (a, t) => {
      const [from, into] = t.split('>') as [CircuitKey, string];
      return as(a, from).request('mutation($i: ForkCircuitInput!) { forkCircuit(input: $i) { id } }', {
        i: { circuitId: circuits[from].id, teamId: into === 'A' ? teamA : teamB },
      });
    },
  },
  setCircuitVisibility: {
    // To the visibility it has (MINE is TEAM): the rows after this one need them unchanged.
    run: (a, t) =>
      as(a, t as CircuitKey).request(
        'mutation($id: ID!, $v: Visibility!) { setCircuitVisibility(circuitId: $id, visibility: $v) { id } }',
        { id: circuits[t as CircuitKey].id, v: t === 'MINE' ? 'TEAM' : t },
      ),
  },
  voteCircuit: {
    run: (a, t) =>
      as(a, t as CircuitKey).request('mutation($id: ID!) { voteCircuit(circuitId: $id, value: 1) { id } }', {
        id: circuits[t as CircuitKey].id,
      }),
  },
  createShareLink: {
    run: (a, t) =>
      as(a, t as CircuitKey).request('mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }', {
        i: { circuitId: circuits[t as CircuitKey].id, permission: 'VIEW' },
      }),
  },
  revokeShareLink: {
    run: (a, t) =>
      as(a, t as CircuitKey).request('mutation($id: ID!) { revokeShareLink(id: $id) { id } }', {
        id: circuits[t as CircuitKey].spareLinkId,
      }),
  },
  addComment: {
    run: (a, t) =>
      as(a, commentTargetCircuit(t)).request('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
        i: { target: commentTarget(t), body: `by ${a}` },
      }),
  },
  setCommentResolved: {
    run: (a, t) =>
      as(a, commentTargetCircuit(t)).request(
        'mutation($id: ID!) { setCommentResolved(id: $id, resolved: true) { id } }',
        { id: comments[t] },
      ),
  },
  requestReview: {
    // The PRIVATE circuit's reviewer is the admin: members cannot see it.
    run: (a, t) =>
      as(a, t as CircuitKey).request('mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }', {
        i: { circuitId: circuits[t as CircuitKey].id, reviewerIds: [t === 'PRIVATE' ? ids.admin : ids.member] },
      }),
  },
  decideReview: {
    run: (a) =>
      as(a).request('mutation($i: DecideReviewInput!) { decideReview(input: $i) { id } }', {
        i: { reviewId, decision: 'APPROVED' },
      }),
  },
  markNotificationRead: {
    run: (a) => as(a).request('mutation($id: ID!) { markNotificationRead(id: $id) { id } }', { id: notificationId }),
  },
  markAllNotificationsRead: {
    run: (a) => as(a).request('mutation { markAllNotificationsRead }'),
  },
  // Draft jobs on team A's computed feature: they stay queued (this server runs no jobs).
  explainFeatures: {
    run: (a) =>
      as(a).request(
        'mutation($t: ID!, $m: ID!, $s: ID!) { explainFeatures(teamId: $t, model: $m, sae: $s, featureIndex: 0) { id } }',
        { t: teamA, m: MODEL, s: SAE_COMPUTED },
      ),
  },
  draftLabelFromTokenPattern: {
    run: (a) =>
      as(a).request(
        'mutation($t: ID!, $m: ID!, $s: ID!) { draftLabelFromTokenPattern(teamId: $t, model: $m, sae: $s, featureIndex: 0) { id } }',
        { t: teamA, m: MODEL, s: SAE_COMPUTED },
      ),
  },
  computeDashboards: {
    run: (a, t) =>
      as(a).request('mutation($m: ID!, $s: ID!) { computeDashboards(model: $m, sae: $s) { id } }', {
        m: MODEL,
        s: t === 'computed' ? SAE_COMPUTED : SAE_FRESH,
      }),
  },
  evaluateSelection: {
    run: (a, t) =>
      as(a, t as CircuitKey).request(
        'mutation($id: ID!) { evaluateSelection(circuitId: $id, version: 1, nodeIds: ["n"]) { id } }',
        { id: circuits[t as CircuitKey].id },
      ),
  },
  ablateSelection: {
    run: (a, t) =>
      as(a, t as CircuitKey).request(
        'mutation($id: ID!) { ablateSelection(circuitId: $id, version: 1, nodeIds: ["blocks.0.hook_resid_post:0:1"], mode: "mean") { id } }',
        { id: circuits[t as CircuitKey].id },
      ),
  },
  saveSteeringEvidence: {
    run: (a, t) =>
      as(a).request(
        'mutation($id: ID!) { saveSteeringEvidence(labelId: $id, text: "The boy", strength: 1, continuation: 0) { id } }',
        { id: labels[t as 'TEAM' | 'PUBLIC'].id },
      ),
  },
  saveAblationEvidence: {
    run: (a, t) =>
      as(a, t as CircuitKey).request(
        'mutation($id: ID!, $job: ID!) { saveAblationEvidence(circuitId: $id, version: 1, jobId: $job) { id } }',
        { id: circuits[t as CircuitKey].id, job: ablationJobs[t as CircuitKey]! },
      ),
  },
  startSelftestJob: { run: (a) => as(a).request('mutation { startSelftestJob(steps: 1) { id } }') },
  cancelJob: {
    // A queued job of its own for each call: cancelling one twice would show nothing.
    prepare: async (_a, t) => {
      prepared.job = t === 'opJob' ? await startSelftestJob() : await startCircuitJob(clients.member);
    },
    run: (a) => as(a).request('mutation($id: ID!) { cancelJob(id: $id) { status } }', { id: prepared.job }),
  },
};

interface SubscriptionOperation {
  query: string;
  variables(target: string): Record<string, unknown>;
  /** The circuit whose link the link holders carry. */
  circuit?(target: string): CircuitKey;
  /** Makes an event each listed actor's subscription should hear (called again until they all have). */
  fire(target: string, waiting: Actor[]): Promise<void>;
}

let posts = 0;
const SUBSCRIPTIONS: Record<string, SubscriptionOperation> = {
  myTeamAdded: {
    query: 'subscription { myTeamAdded { id } }',
    variables: () => ({}),
    fire: async (_t, waiting) => {
      for (const a of waiting)
        if (ids[a]) await clients[a].ok('mutation { createTeam(input: { name: "Joined" }) { id } }');
    },
  },
  featureChanged: {
    query: 'subscription($f: FeatureKeyInput!) { featureChanged(feature: $f) { kind } }',
    variables: (t) => ({ f: featureOf(t as 'TEAM' | 'PUBLIC') }),
    fire: async (t) => {
      await as('owner').ok('mutation($i: EditLabelInput!) { editLabel(input: $i) { id } }', {
        i: { labelId: labels[t as 'TEAM'].id, name: `tick ${posts++}` },
      });
    },
  },
  circuitChanged: {
    query: 'subscription($id: ID!) { circuitChanged(circuitId: $id) { kind } }',
    variables: (t) => ({ id: circuits[t as CircuitKey].id }),
    circuit: (t) => t as CircuitKey,
    fire: async (t) => {
      await as('owner').ok('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
        i: { target: commentTarget(`CIRCUIT:${t}`), body: 'tick' },
      });
    },
  },
  teamChanged: {
    query: 'subscription($id: ID!) { teamChanged(teamId: $id) { kind } }',
    variables: () => ({ id: teamA }),
    fire: async () => {
      await as('owner').ok('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
        i: { target: commentTarget('CIRCUIT:TEAM'), body: 'tick' },
      });
    },
  },
  myInbox: {
    query: 'subscription { myInbox { kind } }',
    variables: () => ({}),
    fire: async (_t, waiting) => {
      const mentions = waiting.filter((a) => EMAIL[a]).map((a) => `@${EMAIL[a]}`);
      if (!mentions.length) return;
      await poster.ok('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
        i: { target: commentTarget('FEATURE:public'), body: `hello ${mentions.join(' ')}` },
      });
    },
  },
  jobProgress: {
    query: 'subscription($id: ID!) { jobProgress(id: $id) { id } }',
    variables: (t) => ({ id: t === 'opJob' ? opJobId : teamJobId }),
    fire: async () => {}, // the job's current state comes first, unasked
  },
};
let poster: TestClient;

/** Every table's rows, hashed: a denied mutation must leave each one as it was. */
let fingerprintSql: string | undefined;
async function fingerprint(): Promise<Record<string, string>> {
  const prisma = app.runtime.services.prisma;
  fingerprintSql ??= await fingerprintQuery();
  const rows = await prisma.$queryRawUnsafe<{ name: string; hash: string }[]>(fingerprintSql);
  return Object.fromEntries(rows.map((r) => [r.name, r.hash]));
}

async function fingerprintQuery(): Promise<string> {
  const tables = await app.runtime.services.prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%'`;
  return tables
    .map(
      ({ name }) =>
        `SELECT '${name}' AS name, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS hash FROM "${name}" t`,
    )
    .join(' UNION ALL ');
}

const outcomeOf = (result: GraphQLResponse<Data>, shows: boolean | undefined) => {
  const code = result.errors?.[0]?.extensions?.code;
  if (code) return CODES[code] ?? `${code} (${result.errors?.[0]?.message})`;
  if (result.errors?.length) return `error ${result.errors[0]?.message}`;
  return shows === false ? 'hid' : 'Y';
};

beforeAll(async () => {
  Object.assign(process.env, ENV);
  dir = await mkdtemp(join(tmpdir(), 'authz-matrix-'));
  await writeTinyModelFixture(dir, 8, { circuitHooks: true, transcoders: true });
  testApp = await startTestApp({
    models: { bundledDir: dir, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
    operatorEmails: EMAIL.oper,
    jobQuotas: { perUser: 100_000, total: 100_000 },
    jobConcurrency: 0,
  });
  app = testApp.app;
  clients.anon = new TestClient(app.url);
  clients.anLnk = new TestClient(app.url);
  const people = Object.fromEntries(await Promise.all(PEOPLE.map(async (p) => [p, await signUp(EMAIL[p]!)] as const)));
  for (const a of [...SIGNED_IN, ...PEOPLE]) {
    const person = people[PERSON[a] ?? a]!;
    // A client of its own for each column: each carries its own share token.
    if ((SIGNED_IN as readonly string[]).includes(a)) clients[a as Actor] = person.client.at(app.url);
    ids[a] = person.id;
  }
  poster = people.addee!.client;
  const owner = clients.owner;
  teamA = (await owner.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "A" }) { id } }'))
    .createTeam.id;
  teamB = (
    await clients.outsdr.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "B" }) { id } }')
  ).createTeam.id;
  for (const [a, role] of Object.entries(TEAM_A_ROLES)) if (a !== 'owner') await addToTeamA(EMAIL[a]!, role);

  let lastExpiry = 0;
  const makeCircuit = async (key: CircuitKey) => {
    const creator = key === 'MINE' ? clients.member : owner;
    const { createCircuit } = await creator.ok<{ createCircuit: { id: string; slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
      { i: { teamId: teamA, title: key, visibility: key === 'MINE' ? 'TEAM' : key, graph } },
    );
    const link = async (permission: string, expires?: number) =>
      (
        await creator.ok<{ createShareLink: { token: string; link: { id: string } } }>(
          'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token link { id } } }',
          {
            i: {
              circuitId: createCircuit.id,
              permission,
              expiresAt: expires ? new Date(expires).toISOString() : undefined,
            },
          },
        )
      ).createShareLink;
    // The expiring link first works (checked below, as soon as it exists), then expires before the rows run.
    const expiresAt = Date.now() + 4000;
    lastExpiry = Math.max(lastExpiry, expiresAt);
    const expired = await link('EDIT', expiresAt);
    const holder = clients.lnkExp.at(app.url);
    holder.shareToken = expired.token;
    const before = await holder.request<{ circuit: { myAccess: string } }>(
      'query($s: String!) { circuit(slug: $s) { myAccess } }',
      { s: createCircuit.slug },
    );
    const [view, comment, edit, revoked, spare] = [
      await link('VIEW'),
      await link('COMMENT'),
      await link('EDIT'),
      await link('EDIT'),
      await link('VIEW'),
    ];
    await creator.ok('mutation($id: ID!) { revokeShareLink(id: $id) { id } }', { id: revoked!.link.id });
    circuits[key] = {
      ...createCircuit,
      tokens: {
        VIEW: view!.token,
        COMMENT: comment!.token,
        EDIT: edit!.token,
        revoked: revoked!.token,
        expired: expired!.token,
      },
      spareLinkId: spare!.link.id,
    };
    expect(before.data?.circuit.myAccess, `${key}: the link before it expired`).toBe('EDIT');
  };
  await Promise.all(CIRCUIT_KEYS.map(makeCircuit));

  for (const [visibility, featureIndex] of [
    ['TEAM', 3],
    ['PUBLIC', 4],
  ] as const) {
    const { proposeLabel } = await owner.ok<{ proposeLabel: { id: string } }>(
      'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
      { i: { teamId: teamA, modelId: MODEL, saeId: SAE_FRESH, featureIndex, name: visibility, visibility } },
    );
    labels[visibility] = { id: proposeLabel.id, featureIndex };
  }
  for (const target of [
    'CIRCUIT:PRIVATE',
    'CIRCUIT:TEAM',
    'NODE:TEAM',
    'CIRCUIT:PUBLIC',
    'LABEL:TEAM',
    'LABEL:PUBLIC',
    'FEATURE:A',
    'FEATURE:public',
  ]) {
    const body = target === 'NODE:TEAM' ? `look @${EMAIL.member}` : 'seed';
    const { addComment } = await owner.ok<{ addComment: { id: string } }>(
      'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
      { i: { target: commentTarget(target), body } },
    );
    comments[target] = addComment.id;
  }
  notificationId = (await clients.member.ok<{ notifications: { id: string }[] }>('{ notifications { id } }'))
    .notifications[0]!.id;
  reviewId = (
    await owner.ok<{ requestReview: { id: string }[] }>(
      'mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }',
      { i: { circuitId: circuits.TEAM.id, reviewerIds: [ids.member] } },
    )
  ).requestReview[0]!.id;
  teamJobId = await startCircuitJob(clients.member);
  for (const key of CIRCUIT_KEYS) {
    const job = await app.runtime.services.prisma.job.create({
      data: {
        kind: 'ablation',
        teamId: teamA,
        createdById: ids.owner!,
        input: { circuitId: circuits[key].id, version: 1, nodeIds: ['n'], mode: 'mean' },
        status: 'SUCCEEDED',
        result: { nodes: 1, meanBefore: -1, meanAfter: 0, before: [-1], after: [0], pairs: [] },
      },
    });
    ablationJobs[key] = job.id;
  }
  opJobId = await startSelftestJob();

  const invite = async (role: string) =>
    (
      await owner.ok<{ createInvitation: { token: string; invitation: { id: string } } }>(
        'mutation($t: ID!, $r: Role) { createInvitation(teamId: $t, role: $r) { token invitation { id } } }',
        { t: teamA, r: role },
      )
    ).createInvitation;
  const [valid, revoked, expired, revocable] = [
    await invite('VIEWER'),
    await invite('VIEWER'),
    await invite('VIEWER'),
    await invite('MEMBER'),
  ];
  await owner.ok('mutation($id: ID!) { revokeInvitation(id: $id) { id } }', { id: revoked!.invitation.id });
  // An invitation lasts at least a day: this one is made to have expired in the database.
  await app.runtime.services.prisma.teamInvitation.update({
    where: { id: expired!.invitation.id },
    data: { expiresAt: new Date(Date.now() - 1000) },
  });
  Object.assign(invitations, {
    valid: valid!.token,
    revoked: revoked!.token,
    expired: expired!.token,
    revocableId: revocable!.invitation.id,
  });

  await app.runtime.services.prisma.featureDashboard.create({
    data: {
      saeId: SAE_COMPUTED,
      featureIndex: 0,
      maxActivation: 1,
      density: 0.1,
      histogram: { edges: [0, 1], counts: [1] },
      // One firing context: what a token-pattern draft (draftLabelFromTokenPattern) is written from.
      topContexts: [{ tokens: [' cat'], values: [1], max: 1 }],
      quantiles: [],
      topLogits: [],
      bottomLogits: [],
      corpus: 'demo',
    },
  });
  // The fingerprint sees the tables the calls write to (an empty one would pass every check).
  expect(Object.keys(await fingerprint())).toEqual(
    expect.arrayContaining(['circuits', 'comments', 'memberships', 'share_links', 'jobs', 'label_votes']),
  );
  await sleep(lastExpiry + 50 - Date.now());
}, 120_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await testApp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const rows = parseMatrix();
const schema = buildSchema(typeDefs);
const ROOT_FIELDS = {
  Query: Object.keys(schema.getQueryType()!.getFields()),
  Mutation: Object.keys(schema.getMutationType()!.getFields()),
  Subscription: Object.keys(schema.getSubscriptionType()!.getFields()),
};
const MUTATIONS = new Set(ROOT_FIELDS.Mutation);

describe('the authorization matrix', () => {
  it('has a row for every query, mutation and subscription of the schema, and a call for every row', () => {
    const named = new Set(rows.map((r) => r.operation));
    const missing = Object.entries(ROOT_FIELDS).flatMap(([root, fields]) =>
      fields.filter((f) => !named.has(f)).map((f) => `${root}.${f}`),
    );
    expect(missing, 'operations without a row in MATRIX').toEqual([]);
    const all = Object.values(ROOT_FIELDS).flat();
    expect(new Set(all).size, 'a field name used by two root types needs its own row names').toBe(all.length);
    expect([...named].filter((op) => !all.includes(op))).toEqual([]);
    const subscriptions = new Set(ROOT_FIELDS.Subscription);
    expect(rows.filter((r) => !(subscriptions.has(r.operation) ? SUBSCRIPTIONS : HTTP)[r.operation])).toEqual([]);
  });

  it('answers every query and mutation as the table says, and a denied mutation writes nothing', async () => {
    const disagreements: string[] = [];
    const attempt = async (row: Row, actor: Actor) => {
      const operation = HTTP[row.operation]!;
      const result = await operation.run(actor, row.target);
      const shows = result.data && operation.shows ? operation.shows(result.data, row.target, actor) : undefined;
      const got = outcomeOf(result, shows);
      if (got !== row.cells[actor]) {
        disagreements.push(`${row.operation} ${row.target} as ${actor}: expected ${row.cells[actor]}, got ${got}`);
      }
      if (got === 'Y') await operation.restore?.(actor, row.target);
      return got;
    };
    for (const row of rows.filter((r) => HTTP[r.operation])) {
      const operation = HTTP[row.operation]!;
      const actors = ACTORS.filter((a) => row.cells[a] !== '-');
      if (!MUTATIONS.has(row.operation)) {
        await Promise.all(actors.map((actor) => attempt(row, actor))); // queries write nothing: all at once
        continue;
      }
      // The calls the table denies go together between two fingerprints of every table (a call that should be
      // denied and is not shows up as its own disagreement); the allowed ones one at a time after them.
      const denied = actors.filter((a) => row.cells[a] !== 'Y');
      if (denied.length) {
        await operation.prepare?.(denied[0]!, row.target);
        const before = await fingerprint();
        const outcomes = await Promise.all(denied.map((actor) => attempt(row, actor)));
        const after = await fingerprint();
        const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
        if (changed.length && !outcomes.includes('Y')) {
          disagreements.push(`${row.operation} ${row.target}: denied to ${denied}, yet ${changed} changed`);
        }
      }
      for (const actor of actors.filter((a) => row.cells[a] === 'Y')) {
        await operation.prepare?.(actor, row.target);
        await attempt(row, actor);
      }
    }
    expect(disagreements).toEqual([]);
  }, 180_000);

  it('opens and delivers every subscription as the table says (graphql-ws, session cookie or share token)', async () => {
    const wsUrl = app.url.replace('http', 'ws');
    const disagreements: string[] = [];
    for (const row of rows.filter((r) => SUBSCRIPTIONS[r.operation])) {
      const operation = SUBSCRIPTIONS[row.operation]!;
      const actors = ACTORS.filter((a) => row.cells[a] !== '-');
      const outcomes = new Map<Actor, string>();
      const sockets = actors.map((actor) => {
        const cookie = clients[actor].sessionCookie;
        const link = LINK_OF[actor];
        const shareToken = link ? circuits[operation.circuit?.(row.target) ?? 'TEAM'].tokens[link] : undefined;
        const client = createClient({
          url: wsUrl,
          retryAttempts: 0,
          connectionParams: shareToken ? { shareToken } : {},
          webSocketImpl: class extends WebSocket {
            constructor(address: string, protocols?: string | string[]) {
              super(address, protocols, { headers: cookie ? { cookie } : {} });
            }
          },
        });
        const settle = (outcome: string) => {
          if (!outcomes.has(actor)) outcomes.set(actor, outcome);
        };
        client.subscribe(
          { query: operation.query, variables: operation.variables(row.target) },
          {
            next: (result) => settle(outcomeOf(result as GraphQLResponse<Data>, undefined)),
            error: (error) => {
              const errors = (Array.isArray(error) ? error : [error]) as GraphQLResponse<Data>['errors'];
              settle(errors?.[0]?.extensions?.code ? outcomeOf({ data: null, errors }, undefined) : `error ${error}`);
            },
            complete: () => settle('completed without an event'),
          },
        );
        return client;
      });
      try {
        // Events until every subscription that should hear one has (the first may come before it is registered),
        // then a little longer for any that should not.
        const deadline = Date.now() + 5000;
        const awaited = () => actors.filter((a) => row.cells[a] !== 'hid' && !outcomes.has(a));
        while (awaited().length && Date.now() < deadline) {
          await operation.fire(row.target, awaited());
          await sleep(150);
        }
        await operation.fire(
          row.target,
          actors.filter((a) => !outcomes.has(a)),
        );
        await sleep(400);
      } finally {
        await Promise.all(sockets.map((s) => s.dispose()));
      }
      for (const actor of actors) {
        const got = outcomes.get(actor) ?? 'hid';
        if (got !== row.cells[actor]) {
          disagreements.push(`${row.operation} ${row.target} as ${actor}: expected ${row.cells[actor]}, got ${got}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  }, 60_000);
});
