/**
 * weightSharing 'shared' (issue 19, item 3): a model's weights are held once however many graphs compile. Checked
 * by the resident memory of this process: a GPT-2-small-width model of 4 layers (108 MB in its blocks' weights, far
 * more than a session's own working memory) compiles three more graphs; per-session weights, the control, must grow by
 * at least two copies for the check to mean anything, shared weights by less than half of one. Both read the same
 * Hugging Face checkpoint through loadHookedGPT2 and must give the same gradients.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GPT2_SMALL, type GPT2Config } from './config.js';
import type { GradientOutput, HookedGPT2 } from './hooked.js';
import { loadHookedGPT2 } from './load.js';
import { randomGPT2Weights, writeGPT2Checkpoint } from './random.js';

const config: GPT2Config = { ...GPT2_SMALL, nLayers: 4 };
const tokens = [[50256, 464, 1772, 1474, 262, 6510]];
const MB = 2 ** 20;

/** Resident memory now (not the peak), from Linux's /proc. */
const residentMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

/** Each hook's gradient needs its own graph (the spec differs), so each call compiles a new session. */
const gradientAt = (model: HookedGPT2, layer: number) =>
  model.gradients(tokens, { gradHooks: [`blocks.${layer}.hook_resid_post`], metric: { answer: 11, wrong: 12 } });

/** Resident growth while three more graphs compile (after a first one, so ORT's own start-up is not counted). */
async function growthOverThreeGraphs(model: HookedGPT2): Promise<{ mb: number; outputs: GradientOutput[] }> {
  const outputs = [await gradientAt(model, 0)];
  const before = residentMb();
  for (let l = 1; l < 4; l++) outputs.push(await gradientAt(model, l));
  return { mb: residentMb() - before, outputs };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('weightSharing', () => {
  it("'shared' holds the weights once across sessions; per-session holds a copy in each", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weight-sharing-'));
    dirs.push(dir);
    let weights: Map<string, Float32Array> | null = randomGPT2Weights(config, 3, 0.02);
    // The blocks' weights: sessions pre-pack their own copies of these, while ORT maps the embeddings from the
    // file and reads only the rows a run gathers.
    const blockMb = [...weights].reduce((n, [name, w]) => n + (name.startsWith('h.') ? w.byteLength : 0), 0) / MB;
    await writeGPT2Checkpoint(dir, config, weights, { prefix: 'transformer.' });
    weights = null;
    const cacheDir = join(dir, 'cache');

    // Shared first: memory the per-session run frees could otherwise be reused and hide a copy.
    const shared = (await loadHookedGPT2(dir, { cacheDir, weightSharing: 'shared', maxGraphs: 4 })).model;
    const perSession = (await loadHookedGPT2(dir, { cacheDir, maxGraphs: 4 })).model;
    try {
      const s = await growthOverThreeGraphs(shared);
      const p = await growthOverThreeGraphs(perSession);
      expect(shared.cachedGraphs).toBe(4);
      expect(perSession.cachedGraphs).toBe(4);
      // Measured here: shared 8 MB, per-session 431 MB, for 108 MB of block weights.
      const figures = `shared ${s.mb.toFixed(0)} MB, per-session ${p.mb.toFixed(0)} MB; block weights ${blockMb.toFixed(0)} MB`;
      expect(p.mb, figures).toBeGreaterThan(2 * blockMb);
      expect(s.mb, figures).toBeLessThan(0.5 * blockMb);
      s.outputs.forEach((out, l) => {
        const want = p.outputs[l]!.grads.get(`blocks.${l}.hook_resid_post`)!.data;
        const got = out.grads.get(`blocks.${l}.hook_resid_post`)!.data;
        const scale = Math.max(...want.map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-3 * scale);
        expect(out.metric[0]).toBeCloseTo(p.outputs[l]!.metric[0]!, 3);
      });
    } finally {
      await shared.dispose();
      await perSession.dispose();
    }
  });
});
