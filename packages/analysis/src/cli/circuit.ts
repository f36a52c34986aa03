#!/usr/bin/env node
/**
 * `npm run circuit -- --model <HF dir | demo> --saes <dir | demo> --dataset nounpp|simple|rc|within_rc|<file.jsonl>
 *   [--n 100] [--method ig|atp|exact] [--steps 10] [--node-threshold 0.1] [--edge-threshold 0.01] [--max-nodes N]
 *   [--aggregation position|sum] [--no-edges] [--no-eval] [--out circuit.json] [--neuronpedia graph.json]`
 * `npm run circuit -- --toy [--input singular|plural] [--out toy-circuit.json] [--neuronpedia graph.json]`: the seed
 *   article's toy network (trained here from fixed seeds, a few hundred ms) and its feature circuit.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { computeCircuit } from '../circuits/api.js';
import { circuitToJson } from '../circuits/format.js';
import { toNeuronpedia } from '../circuits/neuronpedia.js';
import { defaultToy, TOY_INPUTS, TOY_OUTPUTS, type ToyInput, toyCircuit } from '../circuits/toy.js';
import { numberFlag } from './args.js';

const USAGE = `Usage: circuit --model <HF dir | demo> --saes <dir | demo> --dataset <nounpp|simple|rc|within_rc|file.jsonl>
  [--n 100] [--method ig|atp|exact] [--steps 10] [--node-threshold 0.1] [--edge-threshold 0.01] [--max-nodes N]
  [--aggregation position|sum] [--no-edges] [--no-eval] [--seed 0] [--out circuit.json] [--neuronpedia graph.json]
       circuit --toy [--input singular|plural] [--out toy-circuit.json] [--neuronpedia graph.json]`;

/** The toy network's circuit on one of its two inputs, written as a circuit file (and an attribution graph). */
async function writeToyCircuit(values: { input?: string; out?: string; neuronpedia?: string }): Promise<void> {
  const input = values.input ?? 'singular';
  if (!(input in TOY_INPUTS)) throw new Error(`--input must be singular or plural, got "${input}"`);
  const { x, subject } = TOY_INPUTS[input as ToyInput];
  const { net, sae } = defaultToy();
  const { circuit, logits } = toyCircuit(net, sae, x);
  const out = values.out ?? 'toy-circuit.json';
  console.log(
    `toy circuit ("The${subject}"): ${circuit.nodes.length} nodes, ${circuit.edges.length} edges; logits${TOY_OUTPUTS.map((t, o) => ` "${t}" ${logits[o]!.toFixed(3)}`).join(',')}`,
  );
  await writeFile(out, circuitToJson(circuit));
  console.log(`wrote ${out}`);
  if (values.neuronpedia) {
    await writeFile(values.neuronpedia, `${JSON.stringify(toNeuronpedia(circuit, { slug: `toy-${input}` }))}\n`);
    console.log(`wrote ${values.neuronpedia}`);
  }
}

export async function main(args = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      toy: { type: 'boolean' },
      input: { type: 'string' },
      model: { type: 'string' },
      saes: { type: 'string' },
      dataset: { type: 'string' },
      n: { type: 'string' },
      method: { type: 'string' },
      steps: { type: 'string' },
      'node-threshold': { type: 'string' },
      'edge-threshold': { type: 'string' },
      'max-nodes': { type: 'string' },
      aggregation: { type: 'string' },
      'no-edges': { type: 'boolean' },
      'no-eval': { type: 'boolean' },
      seed: { type: 'string' },
      out: { type: 'string' },
      neuronpedia: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.toy) return writeToyCircuit(values);
  if (!values.model || !values.saes || !values.dataset)
    throw new Error(`--model, --saes and --dataset are required\n${USAGE}`);
  const method = values.method ?? 'ig';
  if (method !== 'ig' && method !== 'atp' && method !== 'exact')
    throw new Error(`--method must be ig, atp or exact, got "${method}"`);
  const aggregation = values.aggregation ?? 'position';
  if (aggregation !== 'position' && aggregation !== 'sum')
    throw new Error(`--aggregation must be position or sum, got "${aggregation}"`);
  const bar = new cliProgress.SingleBar(
    { format: '{stage} [{bar}] {percentage}% | {duration_formatted}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const interactive = process.stderr.isTTY;
  if (interactive) bar.start(100, 0, { stage: 'loading'.padEnd(20) });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  const t0 = performance.now();
  let circuit: Awaited<ReturnType<typeof computeCircuit>>;
  try {
    circuit = await computeCircuit(
      {
        model: values.model,
        saes: values.saes,
        dataset: values.dataset,
        n: numberFlag(values.n, 'n') ?? 100,
        method,
        steps: numberFlag(values.steps, 'steps'),
        nodeThreshold: numberFlag(values['node-threshold'], 'node-threshold'),
        edgeThreshold: numberFlag(values['edge-threshold'], 'edge-threshold'),
        maxNodes: numberFlag(values['max-nodes'], 'max-nodes'),
        aggregation,
        edges: !values['no-edges'],
        evaluate: !values['no-eval'],
        seed: numberFlag(values.seed, 'seed'),
      },
      {
        signal: controller.signal,
        onProgress: (stage, pct) => {
          if (interactive) bar.update(Math.round(pct), { stage: stage.padEnd(20) });
        },
      },
    );
  } finally {
    if (interactive) bar.stop();
  }
  const m = circuit.metrics;
  const f = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
  console.log(
    `circuit: ${m.nodes} nodes (of ${m.totalNodes}), ${m.edges} edges; faithfulness ${f(m.faithfulness)}, completeness ${f(m.completeness)}; metric clean ${f(m.cleanMetric)} patch ${f(m.patchMetric)}; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (values.out) {
    await writeFile(values.out, circuitToJson(circuit));
    console.log(`wrote ${values.out}`);
  }
  if (values.neuronpedia) {
    await writeFile(values.neuronpedia, `${JSON.stringify(toNeuronpedia(circuit))}\n`);
    console.log(`wrote ${values.neuronpedia}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
