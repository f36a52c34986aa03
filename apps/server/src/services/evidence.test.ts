// Evidence over the real API on the bundled demo model: a steering run saved on a label and an ablation saved on a
// circuit version hold the server's own numbers with inputs that re-run to the same numbers; who may add and who may
// read follows comments on the label or circuit; each save lands in the team's activity and reaches open pages live
// (featureChanged, circuitChanged) of those who may see it; bad input is BAD_USER_INPUT.
import { DEMO_ASSETS_DIR } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';
import { follow, heardUntil } from '../testing/subscriptions.js';

let test: TestApp;

beforeAll(async () => {
  test = await startModelTestApp(DEMO_ASSETS_DIR, 'evidence-');
}, 120_000);
afterAll(() => test?.stop());

const SAE = 'demo/blocks.0.hook_resid_post';
const FEATURE = 616;
const PAIRS = ['boy', 'dog', 'doctor'].map((noun) => ({
  clean_prefix: `The ${noun} near the car`,
  patch_prefix: `The ${noun}s near the car`,
  clean_answer: ' is',
  patch_answer: ' are',
}));

const SAVE_STEERING = `mutation($l: ID!, $text: String!, $s: Float!, $p: [Int!], $c: [String!], $n: Int, $f: Boolean) {
  saveSteeringEvidence(labelId: $l, text: $text, strength: $s, positions: $p, compareTokens: $c, continuation: $n, freezeAttention: $f) {
    id kind labelId circuitId version inputs result author { displayName } createdAt
  }
}`;
const SAVE_ABLATION = `mutation($c: ID!, $v: Int!, $j: ID!) {
  saveAblationEvidence(circuitId: $c, version: $v, jobId: $j) { id kind labelId circuitId version inputs result }
}`;
const STEER = `query($sae: ID!, $feature: Int!, $text: String!, $strength: Float!, $positions: [Int!], $compare: [String!], $n: Int, $f: Boolean) {
  steerFeature(model: "demo", sae: $sae, feature: $feature, text: $text, strength: $strength, positions: $positions, compareTokens: $compare, continuation: $n, freezeAttention: $f) {
    tokens positions hook scale scaleSource addedNorm compareTokens
    unsteered { logitDiff continuation continuationText topTokens { tokenId token probability logit } }
    steered { logitDiff continuation continuationText topTokens { tokenId token probability logit } }
    frozen { logitDiff continuation continuationText topTokens { tokenId token probability logit } }
  }
}`;
const ABLATE =
  'mutation($c: ID!, $v: Int!, $n: [String!]!, $m: String!) { ablateSelection(circuitId: $c, version: $v, nodeIds: $n, mode: $m) { id } }';

interface Evidence {
  id: string;
  kind: string;
  labelId: string | null;
  circuitId: string | null;
  version: number | null;
  inputs: Record<string, unknown>;
  result: Record<string, unknown>;
}

describe('evidence', () => {
  let owner: TestClient;
  let viewer: TestClient;
  let outsider: TestClient;
  let teamId: string;
  let labelId: string;
  let circuitId: string;
  let slug: string;
  let subjectNodes: string[];

  beforeAll(async () => {
    const signUp = (email: string) => TestClient.signUp(test.app.url, email);
    [owner, viewer, outsider] = await Promise.all([
      signUp('ev-owner@lab.org'),
      signUp('ev-viewer@lab.org'),
      signUp('ev-outsider@lab.org'),
    ]);
    teamId = (
      await owner.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Evidence" }) { id } }')
    ).createTeam.id;
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email: 'ev-viewer@lab.org', role: 'VIEWER' },
    });
    labelId = (
      await owner.ok<{ proposeLabel: { id: string } }>(
        'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
        { i: { teamId, modelId: 'demo', saeId: SAE, featureIndex: FEATURE, name: 'plural subject' } },
      )
    ).proposeLabel.id;
    const { startCircuitJob } = await owner.ok<{ startCircuitJob: { id: string } }>(
      'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
      { i: { teamId, title: 'is/are', model: 'demo', pairs: PAIRS, nodeThreshold: 0.05 } },
    );
    const job = await owner.waitForJob(startCircuitJob.id, 120_000);
    expect(job.error).toBeNull();
    const { circuit } = await owner.ok<{
      circuit: {
        id: string;
        version: { graph: { nodes: { id: string; kind: string; position: number | null; effect: number }[] } };
      };
    }>('query($s: String!) { circuit(slug: $s) { id version { graph } } }', { s: job.result!.slug });
    circuitId = circuit.id;
    slug = job.result!.slug as string;
    subjectNodes = circuit.version.graph.nodes
      .filter((n) => n.kind === 'feature' && n.position === 2)
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
      .slice(0, 4)
      .map((n) => n.id);
    expect(subjectNodes.length).toBeGreaterThan(0);
  }, 240_000);

  it('saves a steering run on a label with the server’s numbers, and its inputs re-run to the same numbers', async () => {
    const { saveSteeringEvidence: saved } = await owner.ok<{ saveSteeringEvidence: Evidence }>(SAVE_STEERING, {
      l: labelId,
      text: 'The teacher behind the car',
      s: 8,
      p: [2],
      c: [' are', ' is'],
      n: 5,
      f: true,
    });
    expect(saved).toMatchObject({ kind: 'steer', labelId, circuitId: null, version: null });
    // The label names the model, SAE and feature; the rest is what was sent.
    expect(saved.inputs).toEqual({
      model: 'demo',
      sae: SAE,
      feature: FEATURE,
      text: 'The teacher behind the car',
      strength: 8,
      positions: [2],
      compareTokens: [' are', ' is'],
      continuation: 5,
      freezeAttention: true,
    });
    // Re-running through steerFeature, as anyone could, gives the saved numbers exactly.
    const i = saved.inputs;
    const { steerFeature } = await viewer.ok<{ steerFeature: Record<string, unknown> }>(STEER, {
      sae: i.sae,
      feature: i.feature,
      text: i.text,
      strength: i.strength,
      positions: i.positions,
      compare: i.compareTokens,
      n: i.continuation,
      f: i.freezeAttention,
    });
    expect(saved.result).toEqual(steerFeature);
    const steered = saved.result.steered as { logitDiff: number };
    const unsteered = saved.result.unsteered as { logitDiff: number };
    // The feature at the subject moves the difference toward " are" (README: -9.09 to +8.32 at strength 8, scale 1).
    expect(steered.logitDiff - unsteered.logitDiff).toBeGreaterThan(1);
    expect(saved.result.frozen).not.toBeNull();

    // Readers of the label see it in its history; people who cannot see the label cannot see it either.
    const query = 'query($id: ID!) { label(id: $id) { evidence { id kind author { displayName } } } }';
    const { label } = await viewer.ok<{ label: { evidence: { id: string; author: { displayName: string } }[] } }>(
      query,
      { id: labelId },
    );
    expect(label.evidence.map((e) => e.id)).toEqual([saved.id]);
    expect(label.evidence[0]!.author.displayName).toBe('ev-owner');
    expect((await outsider.request(query, { id: labelId })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // A viewer of the team may read the label but not comment on it, so may not add evidence either.
    const denied = await viewer.request(SAVE_STEERING, { l: labelId, text: 'The boy', s: 1 });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(
      (await outsider.request(SAVE_STEERING, { l: labelId, text: 'The boy', s: 1 })).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
  });

  it('saves a finished ablation on its circuit version, copied from the job; re-running its inputs gives the same numbers', async () => {
    const ablate = async (vars: Record<string, unknown>) => {
      const { ablateSelection } = await owner.ok<{ ablateSelection: { id: string } }>(ABLATE, vars);
      const job = await owner.waitForJob(ablateSelection.id, 120_000);
      expect(job.error).toBeNull();
      return {
        id: ablateSelection.id,
        result: job.result as { meanBefore: number; meanAfter: number; after: number[] },
      };
    };
    const first = await ablate({ c: circuitId, v: 1, n: subjectNodes, m: 'mean' });
    const { saveAblationEvidence: saved } = await owner.ok<{ saveAblationEvidence: Evidence }>(SAVE_ABLATION, {
      c: circuitId,
      v: 1,
      j: first.id,
    });
    expect(saved).toMatchObject({ kind: 'ablate', circuitId, version: 1, labelId: null });
    expect(saved.inputs).toEqual({ circuitId, version: 1, nodeIds: subjectNodes, mode: 'mean' });
    expect(saved.result).toEqual(first.result);
    expect((saved.result.pairs as unknown[]).length).toBe(PAIRS.length);

    const again = await ablate({
      c: saved.inputs.circuitId,
      v: saved.inputs.version,
      n: saved.inputs.nodeIds,
      m: saved.inputs.mode,
    });
    expect(again.id).not.toBe(first.id);
    expect(Math.abs(again.result.meanAfter - first.result.meanAfter)).toBeLessThan(1e-9);
    expect(Math.abs(again.result.meanBefore - first.result.meanBefore)).toBeLessThan(1e-9);
    expect(again.result.after.map((a, k) => Math.abs(a - first.result.after[k]!))).toEqual(
      first.result.after.map(() => expect.any(Number)),
    );
    expect(Math.max(...again.result.after.map((a, k) => Math.abs(a - first.result.after[k]!)))).toBeLessThan(1e-9);

    // The review panel asks for one version's evidence; a reader of the circuit sees it, an outsider does not.
    const query = 'query($s: String!, $v: Int) { circuit(slug: $s) { evidence(version: $v) { id version } } }';
    const { circuit } = await viewer.ok<{ circuit: { evidence: { id: string; version: number }[] } }>(query, {
      s: slug,
      v: 1,
    });
    expect(circuit.evidence).toEqual([{ id: saved.id, version: 1 }]);
    const { circuit: none } = await viewer.ok<{ circuit: { evidence: unknown[] } }>(query, { s: slug, v: 2 });
    expect(none.evidence).toEqual([]);
    expect((await outsider.request(query, { s: slug, v: 1 })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // A viewer may run an ablation (it reads the circuit) but not save it on the circuit (that needs comment access).
    const byViewer = await viewer.request(SAVE_ABLATION, { c: circuitId, v: 1, j: first.id });
    expect(byViewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Both saves are in the team's activity, naming what they were saved on.
    const { team } = await owner.ok<{
      team: { activity: { action: string; subjectType: string; subjectId: string; data: Record<string, unknown> }[] };
    }>('query($t: ID!) { team(id: $t) { activity(first: 50) { action subjectType subjectId data } } }', { t: teamId });
    const added = team.activity.filter((a) => a.action === 'evidence.added');
    expect(added).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          subjectType: 'circuit',
          subjectId: circuitId,
          data: expect.objectContaining({ evidenceId: saved.id, kind: 'ablate', version: 1 }),
        }),
        expect.objectContaining({
          subjectType: 'label',
          subjectId: labelId,
          data: expect.objectContaining({ kind: 'steer' }),
        }),
      ]),
    );
  }, 300_000);

  it('refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const count = () => test.app.runtime.services.prisma.evidence.count();
    const before = await count();
    const steering: [Record<string, unknown>, string, RegExp][] = [
      [{ s: 101 }, 'strength', /between -100 and 100/],
      [{ p: [9] }, 'positions', /9 is outside the text's 3 tokens/],
      [{ text: '  ' }, 'text', /must not be empty/],
      [{ c: [' is'] }, 'compareTokens', /two tokens/],
      [{ n: 21 }, 'continuation', /at most 20/],
    ];
    for (const [vars, field, message] of steering) {
      const { errors } = await owner.request(SAVE_STEERING, { l: labelId, text: 'The boy', s: 1, ...vars });
      expect(errors?.[0]?.extensions, JSON.stringify(vars)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(errors?.[0]?.message).toMatch(message);
    }
    const missing = await owner.request(SAVE_STEERING, {
      l: '00000000-0000-4000-8000-000000000000',
      text: 'The boy',
      s: 1,
    });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // Jobs that are not a finished ablation of this circuit version.
    const { ablateSelection } = await owner.ok<{ ablateSelection: { id: string } }>(ABLATE, {
      c: circuitId,
      v: 1,
      n: subjectNodes.slice(0, 1),
      m: 'zero',
    });
    const { evaluateSelection } = await owner.ok<{ evaluateSelection: { id: string } }>(
      'mutation($c: ID!, $n: [String!]!) { evaluateSelection(circuitId: $c, version: 1, nodeIds: $n) { id } }',
      { c: circuitId, n: subjectNodes },
    );
    const ablation: [Record<string, unknown>, RegExp][] = [
      [{ j: evaluateSelection.id }, /is not an ablation job/],
      [{ j: 'not-a-job' }, /is not an ablation job/],
      [{ j: ablateSelection.id, v: 2 }, /not version 2 of this one/],
    ];
    for (const [vars, message] of ablation) {
      const { errors } = await owner.request(SAVE_ABLATION, { c: circuitId, v: 1, ...vars });
      expect(errors?.[0]?.extensions, JSON.stringify(vars)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'jobId' });
      expect(errors?.[0]?.message).toMatch(message);
    }
    // Unfinished: the same job seen before it finished (made so in the database; the runner is quick).
    await owner.waitForJob(ablateSelection.id, 120_000);
    await test.app.runtime.services.prisma.job.update({
      where: { id: ablateSelection.id },
      data: { status: 'RUNNING' },
    });
    const running = await owner.request(SAVE_ABLATION, { c: circuitId, v: 1, j: ablateSelection.id });
    expect(running.errors?.[0]?.message).toMatch(/has not finished \(running\)/);
    await owner.waitForJob(evaluateSelection.id, 120_000);
    expect(await count()).toBe(before);
  }, 240_000);

  it('tells whoever has the label or circuit open about new evidence live, and no one who may not see it', async () => {
    const comment = async (target: Record<string, unknown>) =>
      (
        await owner.ok<{ addComment: { id: string } }>(
          'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
          {
            i: { target, body: 'marker' },
          },
        )
      ).addComment.id;
    const publicThread = { type: 'FEATURE', modelId: 'demo', saeId: SAE, featureIndex: FEATURE };
    const circuitThread = { type: 'CIRCUIT', circuitId };

    // A version link to version 2 (a copy of 1) may see the circuit, but not version 1's evidence.
    const { circuit } = await owner.ok<{ circuit: { version: { graph: unknown } } }>(
      'query($s: String!) { circuit(slug: $s) { version(number: 1) { graph } } }',
      { s: slug },
    );
    const v2 = await owner.ok<{ saveCircuitVersion: { number: number } }>(
      'mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }',
      { i: { circuitId, baseVersion: 1, graph: circuit.version.graph, message: 'copy' } },
    );
    const link = await owner.ok<{ createShareLink: { token: string } }>(
      'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
      { i: { circuitId, permission: 'VIEW', version: v2.saveCircuitVersion.number } },
    );

    const FEATURE_CHANGED = 'subscription($f: FeatureKeyInput!) { featureChanged(feature: $f) { kind id data } }';
    const CIRCUIT_CHANGED = 'subscription($c: ID!) { circuitChanged(circuitId: $c) { kind id data } }';
    const feature = { f: { modelId: 'demo', saeId: SAE, featureIndex: FEATURE } };
    const memberFeature = follow(test.app.url, { cookie: viewer.sessionCookie }, FEATURE_CHANGED, feature);
    const outsiderFeature = follow(test.app.url, { cookie: outsider.sessionCookie }, FEATURE_CHANGED, feature);
    const memberCircuit = follow(test.app.url, { cookie: viewer.sessionCookie }, CIRCUIT_CHANGED, { c: circuitId });
    const linkCircuit = follow(test.app.url, { shareToken: link.createShareLink.token }, CIRCUIT_CHANGED, {
      c: circuitId,
    });
    const outsiderCircuit = follow(test.app.url, { cookie: outsider.sessionCookie }, CIRCUIT_CHANGED, { c: circuitId });
    const subs = [memberFeature, outsiderFeature, memberCircuit, linkCircuit];
    try {
      await expect
        .poll(() => (outsiderCircuit.errors as { extensions?: { code?: string } }[] | null)?.[0]?.extensions?.code)
        .toBe('NOT_FOUND');
      // Comments until every subscription hears one: then each is registered.
      const probe = () => Promise.all([comment(publicThread), comment(circuitThread)]).catch(console.error);
      const probing = setInterval(probe, 300);
      try {
        await expect.poll(() => subs.every((s) => s.seen.length > 0), { timeout: 15_000 }).toBe(true);
      } finally {
        clearInterval(probing);
      }

      const { saveSteeringEvidence: steer } = await owner.ok<{ saveSteeringEvidence: Evidence }>(SAVE_STEERING, {
        l: labelId,
        text: 'The boy behind the car',
        s: 4,
      });
      const featureMarker = await comment(publicThread);
      expect((await heardUntil(memberFeature, featureMarker)).filter((e) => e.kind === 'evidence')).toEqual([
        { kind: 'evidence', id: steer.id, data: { labelId, teamId } },
      ]);
      // The outsider may follow the feature (its public thread) but not see the team's label.
      const heard = await heardUntil(outsiderFeature, featureMarker);
      expect(heard.map((e) => e.kind)).toContain('comment');
      expect(heard.filter((e) => e.kind === 'evidence')).toEqual([]);

      const { ablateSelection } = await owner.ok<{ ablateSelection: { id: string } }>(ABLATE, {
        c: circuitId,
        v: 1,
        n: subjectNodes.slice(0, 1),
        m: 'zero',
      });
      await owner.waitForJob(ablateSelection.id, 120_000);
      const { saveAblationEvidence: ablation } = await owner.ok<{ saveAblationEvidence: Evidence }>(SAVE_ABLATION, {
        c: circuitId,
        v: 1,
        j: ablateSelection.id,
      });
      const circuitMarker = await comment(circuitThread);
      expect((await heardUntil(memberCircuit, circuitMarker)).filter((e) => e.kind === 'evidence')).toEqual([
        { kind: 'evidence', id: ablation.id, data: { version: 1 } },
      ]);
      const linkHeard = await heardUntil(linkCircuit, circuitMarker);
      expect(linkHeard.map((e) => e.kind)).toContain('comment');
      expect(linkHeard.filter((e) => e.kind === 'evidence')).toEqual([]);
    } finally {
      await Promise.all([...subs, outsiderCircuit].map((s) => s.dispose()));
    }
  }, 240_000);
});
