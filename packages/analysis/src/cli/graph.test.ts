// The built `graph` CLI (dist/cli/graph.js, as `npm run graph` runs it) on the bundled demo model with random TopK
// transcoders saved as SAELens folders: it writes a circuit file and a valid circuit-tracer graph, reports progress
// on stderr, and refuses bad flags with messages that name them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCircuitJson } from '../circuits/format.js';
import { validateNeuronpediaGraph } from '../circuits/neuronpedia.js';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import { randomTranscoders } from '../graphs/testing.js';
import { saveSae } from '../sae/sae.js';

const cli = fileURLToPath(new URL('../../dist/cli/graph.js', import.meta.url));
const ready = existsSync(join(DEMO_ASSETS_DIR, 'manifest.json')) && existsSync(cli);

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

describe.skipIf(!ready)('npm run graph (the built CLI)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'graph-cli-'));
    for (const s of randomTranscoders(4, 128, 256, 11, { architecture: 'topk', k: 8 }))
      await saveSae(join(dir, 'transcoders', `layer_${s.config.hookLayer}`), {
        // prepend_bos as SAELens's default: the CLI then puts BOS before the prompt
        config: { ...s.config, prependBos: true },
        weights: await s.load(),
      });
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the graph as a circuit file and as circuit-tracer JSON, with progress on stderr', async () => {
    const out = join(dir, 'graph.json');
    const np = join(dir, 'graph-np.json');
    const r = run(
      '--model',
      'demo',
      '--transcoders',
      join(dir, 'transcoders'),
      '--prompt',
      'The cats near the tree',
      '--out',
      out,
      '--neuronpedia',
      np,
      '--node-threshold',
      '0.7',
    );
    expect(r.stderr).toContain('backward passes');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^graph: \d+ nodes \(of \d+; 192 of 192 active features attributed\), \d+ edges; replacement 0\.\d+/m,
    );
    const circuit = readCircuitJson(await readFile(out, 'utf8'), out);
    expect(circuit.method).toMatchObject({ kind: 'graph', nodeThreshold: 0.7, edgeThreshold: 0.98, maxNodes: 7500 });
    expect(circuit.dataset.prompt).toBe('The cats near the tree');
    // BOS, then the prompt's 5 words: 6 token nodes, every one kept
    expect(circuit.nodes.filter((n) => n.kind === 'input')).toHaveLength(6);
    expect(circuit.saes.map((s) => s.hook)).toEqual([0, 1, 2, 3].map((l) => `blocks.${l}.hook_mlp_out`));
    validateNeuronpediaGraph(JSON.parse(await readFile(np, 'utf8')), np);
  });

  it('targets the next tokens --logits names', async () => {
    const out = join(dir, 'verbs.json');
    const r = run(
      '--model',
      'demo',
      '--transcoders',
      join(dir, 'transcoders'),
      '--prompt',
      'The cats near the tree',
      '--logits',
      ' are| is',
      '--out',
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const circuit = readCircuitJson(await readFile(out, 'utf8'), out);
    expect(circuit.nodes.filter((n) => n.kind === 'output').map((n) => n.label)).toEqual([' are', ' is']);
    expect(r.stdout).toContain('logits " are"');
  });

  it.each([
    [['--model', 'demo'], /--model and --prompt are required/],
    [['--model', 'demo', '--prompt', 'x', '--node-threshold', '2'], /node threshold must be between 0 and 1, got 2/],
    [['--model', 'demo', '--prompt', 'x', '--max-feature-nodes', '1.5'], /--max-feature-nodes must be an integer/],
    [['--model', 'demo', '--prompt', 'x', '--transcoders', '/nonexistent/tc'], /\/nonexistent\/tc: no such folder/],
    [['--model', 'demo', '--prompt', '   '], /the prompt is empty/],
    [['--model', 'demo', '--prompt', 'x', '--logits', ' are| is are'], /" is are" is 2 tokens/],
  ])('refuses %j clearly', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});
