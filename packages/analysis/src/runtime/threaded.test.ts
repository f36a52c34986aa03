// threadedNodeOrt runs the same graphs as onnxruntime-node, on a worker thread: same outputs, the caller's feeds left
// as they were, errors surfaced, and the calling thread's event loop free while a run goes on.
import { describe, expect, it } from 'vitest';
import { Graph } from '../graph/graph.js';
import { toOnnx } from '../graph/onnx.js';
import * as op from '../graph/ops.js';
import { nodeOrt } from './node.js';
import { CompiledGraph, type OrtModule } from './session.js';
import { threadedNodeOrt } from './threaded.js';

/** x [m, k] times a constant initializer [k, n] (the weights travel once, with the session). */
function matmulModel(m: number, k: number, n: number) {
  const g = new Graph();
  const x = g.input('x', [m, k]);
  return toOnnx(g, {
    outputs: { y: op.matmul(x, g.weight('w', [k, n])) },
    weights: 'initializer',
    name: 'matmul',
    weightData: () => Float32Array.from({ length: k * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5),
  });
}

const input = (length: number) => Float32Array.from({ length }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);

async function runOn(ort: OrtModule, x: Float32Array, m: number, k: number, n: number) {
  const graph = await CompiledGraph.create(ort, matmulModel(m, k, n), { threads: 1 });
  try {
    return await graph.run({ x });
  } finally {
    await graph.release();
  }
}

describe('threadedNodeOrt', () => {
  it('gives the outputs onnxruntime-node gives, and leaves the feeds with the caller', async () => {
    const x = input(8 * 16);
    const copy = x.slice();
    const here = await runOn(nodeOrt, x, 8, 16, 4);
    const there = await runOn(threadedNodeOrt, x, 8, 16, 4);
    expect(there.y!.dims).toEqual([8, 4]);
    expect(Array.from(there.y!.data)).toEqual(Array.from(here.y!.data));
    // Not moved away (detached) nor changed: the caller may use its array again.
    expect(x).toEqual(copy);
  });

  it('runs several sessions at once, each with its own answers', async () => {
    const [a, b] = await Promise.all([
      runOn(threadedNodeOrt, input(32), 2, 16, 3),
      runOn(threadedNodeOrt, input(64), 4, 16, 5),
    ]);
    expect(a.y!.dims).toEqual([2, 3]);
    expect(b.y!.dims).toEqual([4, 5]);
  });

  it('reports a run with a wrong feed as an error, and a released session as released', async () => {
    const graph = await CompiledGraph.create(threadedNodeOrt, matmulModel(2, 4, 2));
    const session = graph.session as unknown as { run(feeds: object): Promise<unknown> };
    await expect(session.run({ x: new nodeOrt.Tensor('float32', new Float32Array(3), [3]) })).rejects.toThrow();
    await graph.release();
    await expect(graph.run({ x: input(8) })).rejects.toThrow(/released/);
  });

  it('leaves the event loop free while a run goes on (onnxruntime-node blocks it)', async () => {
    const x = input(1024 * 1024);
    const ticksDuring = async (ort: OrtModule) => {
      const graph = await CompiledGraph.create(ort, matmulModel(1024, 1024, 1024), { threads: 1 });
      try {
        await graph.run({ x }); // warm-up
        let ticks = 0;
        let running = true;
        const tick = () => {
          ticks++;
          if (running) setImmediate(tick);
        };
        setImmediate(tick);
        await graph.run({ x });
        running = false;
        return ticks;
      } finally {
        await graph.release();
      }
    };
    // A 1024^3 matmul on one thread takes tens of milliseconds: thousands of turns of the loop when it runs elsewhere.
    expect(await ticksDuring(nodeOrt)).toBeLessThan(5);
    expect(await ticksDuring(threadedNodeOrt)).toBeGreaterThan(50);
  });
});
