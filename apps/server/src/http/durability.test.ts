// Every write the API acknowledged survives the API being killed (SIGKILL: no shutdown, no flush) in the middle of a
// burst of writes, on the embedded PGlite and on Postgres, and nothing is half-written: writes that were in flight
// are there whole or not at all. The built API (dist/main.js) runs as a child process, is killed once N writes
// have been answered while many more are in flight, and is started again on the same data directory or database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';
import { API_READY, killStartedProcesses, MAIN, type StartedProcess, startProcess } from '../testing/process.js';

/** Answered writes before the kill. */
const KILL_AFTER_ACKS = 150;
/** ...and at least this many of each kind (under load the server answers some kinds' first writes late). */
const MIN_ACKS_PER_KIND = 8;
/** Writers running at once, each one write after another: about this many are in flight at the kill. */
const LANES_PER_KIND = 4;
const OWNER = 'owner@durable.org';
const MEMBER = 'member@durable.org';

const dirs: string[] = [];
afterEach(async () => {
  killStartedProcesses();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

type Query = <Row>(sql: string, params?: unknown[]) => Promise<Row[]>;

interface Target {
  /** Environment for the API: where its data lives. */
  env: NodeJS.ProcessEnv;
  /** Opens the database directly (the API stopped) for the checks. */
  open(): Promise<{ query: Query; close(): Promise<void> }>;
}

/** What the API answered with success: each of these must be found after the restart. */
interface Acknowledged {
  circuits: { id: string; slug: string; title: string; nodeId: string }[];
  versions: { circuitId: string; number: number; message: string; nodeId: string }[];
  labels: { id: string; name: string; description: string; featureIndex: number }[];
  comments: { id: string; body: string; mentionsMember: boolean }[];
  votes: { labelId: string; userId: string; value: number }[];
}

interface Burst {
  acknowledged: Acknowledged;
  attempted: number;
  inFlightAtKill: number;
}

const CREATE_CIRCUIT = 'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug title } }';
const SAVE_VERSION = 'mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number message } }';
const PROPOSE_LABEL = 'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id name description } }';
const ADD_COMMENT = 'mutation($i: AddCommentInput!) { addComment(input: $i) { id body } }';
const VOTE_LABEL = 'mutation($id: ID!, $v: Int!) { voteLabel(labelId: $id, value: $v) { id } }';

const startApi = (env: NodeJS.ProcessEnv) => startProcess([MAIN], env, API_READY);
const urlOf = (api: StartedProcess) => api.match[1] as string;

function apiEnv(dataDir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _, REDIS_URL: __, ...env } = process.env;
  return {
    ...env,
    ...extra,
    API_PORT: '0',
    DATA_DIR: dataDir,
    DEMO_DIR: '',
    // The burst is one user's writes far beyond the usual limits: none may be refused with RATE_LIMITED.
    WRITE_RATE_BURST: '1000000',
    WRITE_RATE_PER_SECOND: '1000000',
  };
}

async function runScenario(target: Target) {
  const first = await startApi(target.env);
  const url = urlOf(first);
  const owner = await TestClient.signUp(url, OWNER, 'Olga Owner');
  const member = await TestClient.signUp(url, MEMBER, 'Mo Member');
  const teamId = (
    await owner.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Durable" }) { id } }')
  ).createTeam.id;
  await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
    i: { teamId, email: MEMBER, role: 'MEMBER' },
  });
  const { me: memberUser } = await member.ok<{ me: { id: string } }>('{ me { id } }');
  const { me: ownerUser } = await owner.ok<{ me: { id: string } }>('{ me { id } }');
  const graph = (nodeId: string) => ({ nodes: [{ id: nodeId }], edges: [] });
  // Circuits the burst saves versions of (one per writer: saves on one circuit go one after another) and comments
  // on, and labels it votes on (each user votes on each label once, so an answered vote is the final one).
  const chains: string[] = [];
  for (let lane = 0; lane < LANES_PER_KIND; lane++) {
    const { createCircuit } = await owner.ok<{ createCircuit: { id: string } }>(CREATE_CIRCUIT, {
      i: { teamId, title: `chain ${lane}`, graph: graph('root') },
    });
    chains.push(createCircuit.id);
  }
  const ballots: { client: TestClient; userId: string; labelId: string; value: number }[] = [];
  for (let i = 0; i < 16; i++) {
    const { proposeLabel } = await owner.ok<{ proposeLabel: { id: string } }>(PROPOSE_LABEL, {
      i: { teamId, modelId: 'demo', saeId: 'resid_0', featureIndex: 10_000 + i, name: `ballot ${i}` },
    });
    ballots.push({ client: owner, userId: ownerUser.id, labelId: proposeLabel.id, value: i % 3 ? 1 : -1 });
    ballots.push({ client: member, userId: memberUser.id, labelId: proposeLabel.id, value: i % 2 ? 1 : -1 });
  }

  const burst = await writeBurstUntilKilled(first, {
    circuit: async (lane, i) => {
      const title = `burst circuit ${lane}.${i}`;
      const nodeId = `c-${lane}-${i}`;
      const { createCircuit } = await (lane % 2 ? member : owner).ok<{ createCircuit: { id: string; slug: string } }>(
        CREATE_CIRCUIT,
        { i: { teamId, title, graph: graph(nodeId) } },
      );
      return (a) => a.circuits.push({ id: createCircuit.id, slug: createCircuit.slug, title, nodeId });
    },
    version: async (lane, i) => {
      const circuitId = chains[lane] as string;
      const message = `save ${i + 2} on chain ${lane}`;
      const nodeId = `v-${lane}-${i + 2}`;
      const { saveCircuitVersion } = await owner.ok<{ saveCircuitVersion: { number: number } }>(SAVE_VERSION, {
        i: { circuitId, baseVersion: i + 1, graph: graph(nodeId), message },
      });
      return (a) => a.versions.push({ circuitId, number: saveCircuitVersion.number, message, nodeId });
    },
    label: async (lane, i) => {
      const name = `burst label ${lane}.${i}`;
      const description = `what feature ${lane * 1000 + i} detects`;
      const featureIndex = lane * 1000 + i;
      const { proposeLabel } = await member.ok<{ proposeLabel: { id: string } }>(PROPOSE_LABEL, {
        i: { teamId, modelId: 'demo', saeId: 'resid_0', featureIndex, name, description },
      });
      return (a) => a.labels.push({ id: proposeLabel.id, name, description, featureIndex });
    },
    comment: async (lane, i) => {
      const mentionsMember = i % 3 === 0;
      const body = `burst comment ${lane}.${i}${mentionsMember ? ` for @${MEMBER}` : ''}`;
      const { addComment } = await owner.ok<{ addComment: { id: string } }>(ADD_COMMENT, {
        i: { target: { type: 'CIRCUIT', circuitId: chains[lane] }, body },
      });
      return (a) => a.comments.push({ id: addComment.id, body, mentionsMember });
    },
    vote: async (lane, i) => {
      const ballot = ballots[i * LANES_PER_KIND + lane];
      if (!ballot) return null;
      await ballot.client.ok(VOTE_LABEL, { id: ballot.labelId, v: ballot.value });
      return (a) => a.votes.push({ labelId: ballot.labelId, userId: ballot.userId, value: ballot.value });
    },
  });
  const { acknowledged } = burst;
  const acked = Object.values(acknowledged).reduce((sum, list) => sum + list.length, 0);
  expect(acked).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
  // The kill came in the middle of the burst, not after it.
  expect(burst.inFlightAtKill).toBeGreaterThanOrEqual(LANES_PER_KIND * 3);

  // Started again on the same data: it opens (no stale lock file stops it) and still knows the session.
  const second = await startApi(target.env);
  const again = owner.at(urlOf(second));
  const { team } = await again.ok<{
    team: {
      circuits: { edges: { node: { id: string; title: string; latestVersion: number } }[] };
      labels: { edges: { node: { id: string; name: string; description: string } }[] };
    };
  }>(
    `query($id: ID!) { team(id: $id) { circuits(first: 100) { edges { node { id title latestVersion } } }
      labels(first: 100) { edges { node { id name description } } } } }`,
    { id: teamId },
  );
  // Fewer than a page of each, so the page holds them all.
  expect(Math.max(team.circuits.edges.length, team.labels.edges.length)).toBeLessThan(100);
  const shownCircuits = new Map(team.circuits.edges.map(({ node }) => [node.id, node]));
  for (const circuit of acknowledged.circuits) {
    expect(shownCircuits.get(circuit.id)).toMatchObject({ title: circuit.title, latestVersion: 1 });
  }
  for (const version of acknowledged.versions) {
    expect(shownCircuits.get(version.circuitId)?.latestVersion).toBeGreaterThanOrEqual(version.number);
  }
  const shownLabels = new Map(team.labels.edges.map(({ node }) => [node.id, node]));
  for (const label of acknowledged.labels) {
    expect(shownLabels.get(label.id)).toEqual({ id: label.id, name: label.name, description: label.description });
  }
  second.child.kill('SIGTERM');
  expect((await second.exited).code, second.output()).toBe(0);

  const db = await target.open();
  try {
    await expectAllAcknowledged(db.query, acknowledged, memberUser.id);
    await expectConsistent(db.query);
  } finally {
    await db.close();
  }
  const perKind = Object.fromEntries(Object.entries(acknowledged).map(([kind, list]) => [kind, list.length]));
  return { acked, perKind, attempted: burst.attempted, inFlightAtKill: burst.inFlightAtKill };
}

/** One write of a kind; resolves with how to record it once answered, or null when that writer has nothing left. */
type Write = (lane: number, i: number) => Promise<((a: Acknowledged) => void) | null>;

/**
 * Runs LANES_PER_KIND writers of each kind at once, each one write after another, and SIGKILLs the API as soon as
 * KILL_AFTER_ACKS writes, MIN_ACKS_PER_KIND of each kind, have been answered. A write that gets no answer (the
 * connection dies) ends its writer.
 */
async function writeBurstUntilKilled(api: StartedProcess, writes: Record<string, Write>): Promise<Burst> {
  const acknowledged: Acknowledged = { circuits: [], versions: [], labels: [], comments: [], votes: [] };
  let answered = 0;
  let attempted = 0;
  let inFlight = 0;
  let inFlightAtKill = -1;
  const lane = async (write: Write, lane: number) => {
    for (let i = 0; inFlightAtKill < 0 && i < 10_000; i++) {
      attempted++;
      inFlight++;
      let record: ((a: Acknowledged) => void) | null;
      try {
        record = await write(lane, i);
      } catch (error) {
        if (inFlightAtKill < 0) throw error;
        return; // In flight at the kill: unacknowledged.
      } finally {
        inFlight--;
      }
      if (!record) return;
      record(acknowledged);
      answered++;
      const everyKind = Object.values(acknowledged).every((list) => list.length >= MIN_ACKS_PER_KIND);
      if (inFlightAtKill < 0 && answered >= KILL_AFTER_ACKS && everyKind) {
        inFlightAtKill = inFlight;
        api.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(
    Object.values(writes).flatMap((write) => Array.from({ length: LANES_PER_KIND }, (_, l) => lane(write, l))),
  );
  expect(inFlightAtKill, 'the burst ended before the kill').toBeGreaterThanOrEqual(0);
  expect((await api.exited).signal).toBe('SIGKILL');
  return { acknowledged, attempted, inFlightAtKill };
}

/** Each acknowledged write, read back whole: one query per kind for all of them, compared row by row. */
async function expectAllAcknowledged(query: Query, acknowledged: Acknowledged, memberId: string) {
  const graph = (nodeId: string) => ({ nodes: [{ id: nodeId }], edges: [] });
  const byKey = <T extends { key: string }>(rows: T[]) => [...rows].sort((x, y) => x.key.localeCompare(y.key));

  const circuits = await query<{ key: string }>(
    `SELECT c.id::text AS key, c.title, c.slug, v.graph,
            ARRAY(SELECT action FROM activity_events a WHERE a.subject_id = c.id::text ORDER BY action) AS actions
     FROM circuits c JOIN circuit_versions v ON v.circuit_id = c.id AND v.number = 1 WHERE c.id = ANY($1::uuid[])`,
    [acknowledged.circuits.map((c) => c.id)],
  );
  expect(byKey(circuits)).toEqual(
    byKey(
      acknowledged.circuits.map((c) => ({
        key: c.id,
        title: c.title,
        slug: c.slug,
        graph: graph(c.nodeId),
        actions: ['circuit.created'],
      })),
    ),
  );

  const versions = await query<{ key: string }>(
    `SELECT v.circuit_id || '/' || v.number AS key, v.message, v.graph, v.parent,
            (SELECT count(*)::int FROM activity_events a WHERE a.subject_id = v.circuit_id::text
               AND a.action = 'circuit.version_saved' AND (a.data->>'version')::int = v.number) AS logged
     FROM circuit_versions v WHERE v.circuit_id || '/' || v.number = ANY($1::text[])`,
    [acknowledged.versions.map((v) => `${v.circuitId}/${v.number}`)],
  );
  expect(byKey(versions)).toEqual(
    byKey(
      acknowledged.versions.map((v) => ({
        key: `${v.circuitId}/${v.number}`,
        message: v.message,
        graph: graph(v.nodeId),
        parent: v.number - 1,
        logged: 1,
      })),
    ),
  );

  const labels = await query<{ key: string }>(
    `SELECT l.id::text AS key, l.name, l.description, l.feature_index AS "featureIndex",
            ARRAY(SELECT r.revision || ':' || r.name FROM label_revisions r WHERE r.label_id = l.id) AS revisions
     FROM feature_labels l WHERE l.id = ANY($1::uuid[])`,
    [acknowledged.labels.map((l) => l.id)],
  );
  expect(byKey(labels)).toEqual(
    byKey(
      acknowledged.labels.map((l) => ({
        key: l.id,
        name: l.name,
        description: l.description,
        featureIndex: l.featureIndex,
        revisions: [`1:${l.name}`],
      })),
    ),
  );

  const comments = await query<{ key: string }>(
    `SELECT c.id::text AS key, c.body,
            ARRAY(SELECT n.user_id::text FROM notifications n WHERE n.comment_id = c.id) AS notified
     FROM comments c WHERE c.id = ANY($1::uuid[])`,
    [acknowledged.comments.map((c) => c.id)],
  );
  expect(byKey(comments)).toEqual(
    byKey(
      acknowledged.comments.map((c) => ({ key: c.id, body: c.body, notified: c.mentionsMember ? [memberId] : [] })),
    ),
  );

  const votes = await query<{ key: string }>(
    `SELECT label_id || '/' || user_id AS key, value FROM label_votes WHERE label_id || '/' || user_id = ANY($1::text[])`,
    [acknowledged.votes.map((v) => `${v.labelId}/${v.userId}`)],
  );
  expect(byKey(votes)).toEqual(
    byKey(acknowledged.votes.map((v) => ({ key: `${v.labelId}/${v.userId}`, value: v.value }))),
  );
}

/** Whatever was written, answered or not, is whole: each of these queries must find nothing. */
async function expectConsistent(query: Query) {
  const broken = {
    // Versions 1..latest_version, no gap and none beyond, each on its parent.
    circuitsWithVersionGaps: `SELECT c.id FROM circuits c LEFT JOIN circuit_versions v ON v.circuit_id = c.id
      GROUP BY c.id, c.latest_version
      HAVING count(v.number) <> c.latest_version OR min(v.number) <> 1 OR max(v.number) <> c.latest_version`,
    versionsOffTheirParent: `SELECT circuit_id FROM circuit_versions
      WHERE (number = 1 AND parent IS NOT NULL) OR (number > 1 AND parent IS DISTINCT FROM number - 1)`,
    circuitsNotLogged: `SELECT c.id FROM circuits c WHERE NOT EXISTS (SELECT 1 FROM activity_events a
      WHERE a.subject_id = c.id::text AND a.action = 'circuit.created')`,
    versionsNotLogged: `SELECT v.circuit_id FROM circuit_versions v WHERE v.number > 1 AND NOT EXISTS (
      SELECT 1 FROM activity_events a WHERE a.subject_id = v.circuit_id::text AND a.action = 'circuit.version_saved'
        AND (a.data->>'version')::int = v.number)`,
    labelsWithRevisionGaps: `SELECT l.id FROM feature_labels l LEFT JOIN label_revisions r ON r.label_id = l.id
      GROUP BY l.id, l.revision HAVING count(r.revision) <> l.revision`,
    labelsNotLogged: `SELECT l.id FROM feature_labels l WHERE NOT EXISTS (SELECT 1 FROM activity_events a
      WHERE a.subject_id = l.id::text AND a.action = 'label.proposed')`,
    labelScoresOffTheirVotes: `SELECT l.id FROM feature_labels l
      WHERE l.score <> (SELECT coalesce(sum(v.value), 0) FROM label_votes v WHERE v.label_id = l.id)`,
    votesNotLogged: `SELECT v.label_id FROM label_votes v WHERE NOT EXISTS (SELECT 1 FROM activity_events a
      WHERE a.subject_id = v.label_id::text AND a.action = 'label.voted' AND a.actor_id = v.user_id)`,
    commentsNotLogged: `SELECT c.id FROM comments c WHERE NOT EXISTS (SELECT 1 FROM activity_events a
      WHERE a.action = 'comment.added' AND a.data->>'commentId' = c.id::text)`,
    mentionsNotNotified: `SELECT c.id FROM comments c WHERE c.body LIKE '%@${MEMBER}%'
      AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.comment_id = c.id)`,
    commentsLoggedButMissing: `SELECT a.id FROM activity_events a WHERE a.action = 'comment.added'
      AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.id::text = a.data->>'commentId')`,
  };
  const found: Record<string, number> = {};
  for (const [name, sql] of Object.entries(broken)) found[name] = (await query(sql)).length;
  expect(found).toEqual(Object.fromEntries(Object.keys(broken).map((name) => [name, 0])));
}

describe('SIGKILL in the middle of a burst of writes', () => {
  it('loses no acknowledged write on the embedded PGlite, and restarts on its data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wb-durability-'));
    dirs.push(dataDir);
    const result = await runScenario({
      env: apiEnv(dataDir, {}),
      open: async () => {
        const pglite = await PGlite.create(join(dataDir, 'pglite'));
        return {
          query: async <Row>(sql: string, params: unknown[] = []) => (await pglite.query<Row>(sql, params)).rows,
          close: () => pglite.close(),
        };
      },
    });
    console.log(`PGlite: ${JSON.stringify(result)}`);
  });

  describe.runIf(Boolean(process.env.DATABASE_URL))('on Postgres', () => {
    it('loses no acknowledged write', async () => {
      const db = await createTestDatabase();
      if (db.config.kind !== 'postgres') throw new Error('expected Postgres');
      const { url } = db.config;
      const dataDir = await mkdtemp(join(tmpdir(), 'wb-durability-'));
      dirs.push(dataDir);
      try {
        const result = await runScenario({
          env: apiEnv(dataDir, { DATABASE_URL: url }),
          open: async () => {
            const client = new pg.Client({ connectionString: url });
            await client.connect();
            return {
              query: async <Row>(sql: string, params: unknown[] = []) =>
                (await client.query(sql, params)).rows as Row[],
              close: () => client.end(),
            };
          },
        });
        console.log(`Postgres: ${JSON.stringify(result)}`);
      } finally {
        killStartedProcesses();
        await db.drop();
      }
    });
  });
});
