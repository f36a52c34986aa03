#!/usr/bin/env node
/**
 * `npm run graph -- --model <HF dir | demo> --prompt "The cats near the tree" [--transcoders <dir | demo>]
 *   [--out graph.json] [--neuronpedia graph-np.json] [--node-threshold 0.8] [--edge-threshold 0.98]
 *   [--max-feature-nodes 7500] [--max-logits 10] [--logits " are| is"] [--batch 128] [--no-bos]`
 * An attribution graph of one prompt (circuit-tracer's method) as our circuit file; progress on stderr.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { circuitToJson } from '../circuits/format.js';
import { toNeuronpedia } from '../circuits/neuronpedia.js';
import { computePromptGraph } from '../graphs/api.js';
import { numberFlag } from './args.js';

const USAGE = `Usage: graph --model <HF dir | demo> --prompt <text> [--transcoders <dir | demo>] [--out graph.json]
  [--neuronpedia graph-np.json] [--node-threshold 0.8] [--edge-threshold 0.98] [--max-feature-nodes 7500]
  [--max-logits 10] [--logits " are| is"] [--batch 128] [--no-bos]
An attribution graph of one prompt: MLPs replaced by transcoders (one per layer, blocks.L.ln2.hook_normalized ->
blocks.L.hook_mlp_out), edges the exact direct effects, pruned by influence on the top logits (or on the
next tokens --logits names, separated by |, each one token).
--transcoders defaults to the demo bundle's with --model demo.`;

function integerFlag(value: string | undefined, name: string, min: number): number | undefined {
  const n = numberFlag(value, name);
  if (n !== undefined && (!Number.isInteger(n) || n < min))
    throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      transcoders: { type: 'string' },
      prompt: { type: 'string' },
      out: { type: 'string' },
      neuronpedia: { type: 'string' },
      'node-threshold': { type: 'string' },
      'edge-threshold': { type: 'string' },
      'max-feature-nodes': { type: 'string' },
      'max-logits': { type: 'string' },
      logits: { type: 'string' },
      batch: { type: 'string' },
      'no-bos': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.model || values.prompt === undefined) throw new Error(`--model and --prompt are required\n${USAGE}`);
  const transcoders = values.transcoders ?? (values.model === 'demo' ? 'demo' : undefined);
  if (!transcoders) throw new Error(`--transcoders is required with a model other than demo\n${USAGE}`);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  const t0 = performance.now();
  let last = '';
  const result = await computePromptGraph(
    {
      model: values.model,
      transcoders,
      prompt: values.prompt,
      nodeThreshold: numberFlag(values['node-threshold'], 'node-threshold'),
      edgeThreshold: numberFlag(values['edge-threshold'], 'edge-threshold'),
      maxFeatureNodes: integerFlag(values['max-feature-nodes'], 'max-feature-nodes', 0),
      maxLogits: integerFlag(values['max-logits'], 'max-logits', 1),
      batch: integerFlag(values.batch, 'batch', 1),
      ...(values['no-bos'] ? { prependBos: false } : {}),
      ...(values.logits !== undefined ? { logitTexts: values.logits.split('|') } : {}),
    },
    {
      signal: controller.signal,
      onProgress: (stage, pct) => {
        const line = `${stage} ${Math.round(pct)}%`;
        if (line !== last) process.stderr.write(`${line}\n`);
        last = line;
      },
    },
  );
  const c = result.circuit;
  const m = c.metrics;
  const f = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
  const logits = c.nodes
    .filter((n) => n.kind === 'output')
    .map((n) => `${JSON.stringify(n.label)} ${f(n.probability)}`)
    .join(', ');
  console.log(
    `graph: ${m.nodes} nodes (of ${m.totalNodes}; ${result.features} of ${result.activeFeatures} active features attributed), ${m.edges} edges; replacement ${f(m.replacementScore)}, completeness ${f(m.completenessScore)}; logits ${logits}; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (values.out) {
    await writeFile(values.out, circuitToJson(c));
    console.log(`wrote ${values.out}`);
  }
  if (values.neuronpedia) {
    await writeFile(values.neuronpedia, `${JSON.stringify(toNeuronpedia(c))}\n`);
    console.log(`wrote ${values.neuronpedia}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
