import { describe, expect, it } from 'vitest';
import { nodeOrt } from '../runtime/node.js';
import { CompiledGraph } from '../runtime/session.js';
import { grad } from './autodiff.js';
import { Graph, type Tensor } from './graph.js';
import { interpret } from './interpret.js';
import { toOnnx } from './onnx.js';
import * as op from './ops.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Case {
  name: string;
  inputs: Record<string, number[]>;
  build: (g: Graph, x: Record<string, Tensor>) => Tensor;
  /** Input values are drawn from this range (default [-1, 1]). */
  range?: [number, number];
  ints?: Record<string, { shape: number[]; values: number[] }>;
}

const cases: Case[] = [
  { name: 'Add (broadcast)', inputs: { a: [2, 3], b: [3] }, build: (_, { a, b }) => op.add(a!, b!) },
  { name: 'Sub (broadcast)', inputs: { a: [2, 1], b: [2, 3] }, build: (_, { a, b }) => op.sub(a!, b!) },
  { name: 'Mul (broadcast)', inputs: { a: [2, 3], b: [2, 1] }, build: (_, { a, b }) => op.mul(a!, b!) },
  { name: 'Div', inputs: { a: [2, 3], b: [3] }, range: [0.5, 2], build: (_, { a, b }) => op.div(a!, b!) },
  { name: 'Neg', inputs: { a: [4] }, build: (_, { a }) => op.neg(a!) },
  { name: 'Exp', inputs: { a: [4] }, build: (_, { a }) => op.exp(a!) },
  { name: 'Log', inputs: { a: [4] }, range: [0.5, 2], build: (_, { a }) => op.log(a!) },
  { name: 'Sqrt', inputs: { a: [4] }, range: [0.5, 2], build: (_, { a }) => op.sqrt(a!) },
  { name: 'Reciprocal', inputs: { a: [4] }, range: [0.5, 2], build: (_, { a }) => op.reciprocal(a!) },
  { name: 'Tanh', inputs: { a: [4] }, build: (_, { a }) => op.tanh(a!) },
  { name: 'Sigmoid', inputs: { a: [4] }, build: (_, { a }) => op.sigmoid(a!) },
  { name: 'Relu', inputs: { a: [6] }, build: (_, { a }) => op.relu(a!) },
  { name: 'Abs', inputs: { a: [6] }, build: (_, { a }) => op.abs(a!) },
  { name: 'Gelu(tanh)', inputs: { a: [2, 5] }, range: [-3, 3], build: (_, { a }) => op.gelu(a!) },
  { name: 'Identity', inputs: { a: [3] }, build: (_, { a }) => op.identity(a!) },
  {
    name: 'Where',
    inputs: { a: [2, 3], b: [3] },
    build: (_, { a, b }) => op.where(op.greater(a!, b!), op.mul(a!, b!), op.sub(b!, a!)),
  },
  { name: 'MatMul 2-D', inputs: { a: [3, 4], b: [4, 2] }, build: (_, { a, b }) => op.matmul(a!, b!) },
  { name: 'MatMul batched x 2-D', inputs: { a: [2, 3, 4], b: [4, 2] }, build: (_, { a, b }) => op.matmul(a!, b!) },
  {
    name: 'MatMul broadcast batch',
    inputs: { a: [2, 1, 3, 4], b: [3, 4, 2] },
    build: (_, { a, b }) => op.matmul(a!, b!),
  },
  { name: 'Gemm', inputs: { a: [3, 4], b: [4, 2], c: [2] }, build: (_, { a, b, c }) => op.gemm(a!, b!, c!) },
  {
    name: 'Gemm transB',
    inputs: { a: [3, 4], b: [5, 4] },
    build: (_, { a, b }) => op.gemm(a!, b!, undefined, { transB: true }),
  },
  { name: 'ReduceSum', inputs: { a: [2, 3, 4] }, build: (_, { a }) => op.reduceSum(a!, [0, 2]) },
  { name: 'ReduceMean keepdims', inputs: { a: [2, 3, 4] }, build: (_, { a }) => op.reduceMean(a!, [1], true) },
  { name: 'ReduceMax', inputs: { a: [3, 4] }, build: (_, { a }) => op.reduceMax(a!, [1], true) },
  { name: 'Softmax', inputs: { a: [2, 5] }, range: [-2, 2], build: (_, { a }) => op.softmax(a!, -1) },
  { name: 'Softmax axis 0', inputs: { a: [3, 2] }, build: (_, { a }) => op.softmax(a!, 0) },
  {
    name: 'LayerNormalization',
    inputs: { a: [2, 3, 6], s: [6], b: [6] },
    build: (_, { a, s, b }) => op.layerNormalization(a!, s!, b!)[0],
  },
  {
    name: 'LayerNormalization stats',
    inputs: { a: [3, 5], s: [5], b: [5] },
    build: (_, { a, s, b }) => {
      const [y, mean, inv] = op.layerNormalization(a!, s!, b!);
      return op.add(op.mul(y, inv), mean);
    },
  },
  {
    name: 'Gather (embedding)',
    inputs: { w: [5, 3] },
    ints: { idx: { shape: [2, 3], values: [0, 4, 4, 1, 0, 2] } },
    build: (_, { w, idx }) => op.gather(w!, idx!),
  },
  {
    name: 'GatherND',
    inputs: { w: [3, 4, 2] },
    ints: { idx: { shape: [2, 2], values: [0, 1, 2, 3] } },
    build: (_, { w, idx }) => op.gatherND(w!, idx!),
  },
  {
    name: 'ScatterND add',
    inputs: { d: [4, 2], u: [3, 2] },
    ints: { idx: { shape: [3, 1], values: [1, 3, 1] } },
    build: (_, { d, u, idx }) => op.scatterAdd(d!, idx!, u!),
  },
  { name: 'TopK values', inputs: { a: [2, 3, 6] }, build: (_, { a }) => op.topK(a!, 3)[0] },
  {
    // the TopK SAE activation: ReLU of the top k scattered back to their indices (sae/graph.ts)
    name: 'TopK scattered (TopK SAE)',
    inputs: { a: [2, 3, 6] },
    build: (_, { a }) => {
      const [values, indices] = op.topK(a!, 3);
      return op.scatterAddLast(op.zerosLike(a!), indices, op.relu(values));
    },
  },
  {
    name: 'TopK indices (through Gather)',
    inputs: { a: [1, 5], w: [5, 2] },
    build: (_, { a, w }) =>
      op.mul(op.gather(w!, op.reshape(op.topK(a!, 2)[1], [2])), op.reshape(op.topK(a!, 2)[0], [2, 1])),
  },
  { name: 'Reshape', inputs: { a: [2, 6] }, build: (_, { a }) => op.reshape(a!, [3, -1]) },
  { name: 'Expand', inputs: { a: [3, 1] }, build: (_, { a }) => op.expand(a!, [2, 3, 4]) },
  { name: 'Transpose', inputs: { a: [2, 3, 4] }, build: (_, { a }) => op.transpose(a!, [2, 0, 1]) },
  { name: 'Slice', inputs: { a: [4, 5] }, build: (_, { a }) => op.slice(a!, [1, -3], [3, 5], [0, 1]) },
  { name: 'Pad', inputs: { a: [2, 3] }, build: (_, { a }) => op.pad(a!, [1, 0, 0, 2]) },
  { name: 'Concat', inputs: { a: [2, 3], b: [2, 1] }, build: (_, { a, b }) => op.concat([a!, b!], 1) },
  {
    name: 'Split',
    inputs: { a: [5, 2] },
    build: (_, { a }) => {
      const [p, q] = op.split(a!, 0, [2, 3]);
      return op.concat([op.mul(q!, q!), p!], 0);
    },
  },
  { name: 'Split (one part unused)', inputs: { a: [4, 2] }, build: (_, { a }) => op.split(a!, 0, [1, 3])[1]! },
  {
    name: 'Cast round trip',
    inputs: { a: [3] },
    build: (_, { a }) => op.cast(op.cast(a!, 'float32'), 'float32'),
  },
];

describe('per-op backward rules vs float64 finite differences', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const random = rng(c.name.length * 7919 + 17);
      const [lo, hi] = c.range ?? [-1, 1];
      const g = new Graph();
      const x: Record<string, Tensor> = {};
      const feeds: Record<string, Float64Array | BigInt64Array> = {};
      for (const [name, shape] of Object.entries(c.inputs)) {
        x[name] = g.input(name, shape);
        feeds[name] = Float64Array.from({ length: x[name].size }, () => lo + (hi - lo) * random());
      }
      for (const [name, { shape, values }] of Object.entries(c.ints ?? {})) {
        x[name] = g.input(name, shape, 'int64');
        feeds[name] = BigInt64Array.from(values.map(BigInt));
      }
      const out = c.build(g, x);
      const r = g.constant(
        Float32Array.from({ length: out.size }, () => random() * 2 - 1),
        out.shape,
      );
      const loss = op.reduceSum(
        op.mul(out, r),
        out.shape.map((_, i) => i),
      );
      const targets = Object.keys(c.inputs).map((n) => x[n]!);
      const grads = grad(loss, targets);
      // the random weights r are float32; evaluate the loss in float64 around the point
      const analytic = interpret(g, feeds, grads);
      const eps = 1e-6;
      targets.forEach((t, k) => {
        const base = feeds[t.name] as Float64Array;
        const numeric = new Float64Array(base.length);
        for (let i = 0; i < base.length; i++) {
          const keep = base[i]!;
          base[i] = keep + eps;
          const up = interpret(g, feeds, [loss])[0]![0]!;
          base[i] = keep - eps;
          const down = interpret(g, feeds, [loss])[0]![0]!;
          base[i] = keep;
          numeric[i] = (up - down) / (2 * eps);
        }
        const a = analytic[k]!;
        for (let i = 0; i < base.length; i++)
          expect(Math.abs(a[i]! - numeric[i]!)).toBeLessThan(1e-6 * (1 + Math.abs(numeric[i]!)));
      });
      // the same forward and backward graph in onnxruntime-node (float32)
      const outputs: Record<string, Tensor> = { out, loss };
      targets.forEach((t, k) => {
        outputs[`grad_${t.name}`] = grads[k]!;
      });
      const compiled = await CompiledGraph.create(nodeOrt, toOnnx(g, { outputs }));
      const ortFeeds: Record<string, Float32Array | BigInt64Array> = {};
      for (const [name, v] of Object.entries(feeds))
        ortFeeds[name] = v instanceof BigInt64Array ? v : Float32Array.from(v);
      const res = await compiled.run(ortFeeds);
      const expected = interpret(g, feeds, [out, ...grads]);
      ['out', ...targets.map((t) => `grad_${t.name}`)].forEach((name, k) => {
        const got = res[name]!.data;
        const want = expected[k]!;
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++)
          expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(want[i]!)));
      });
      await compiled.release();
    });
  }
});

describe('autodiff', () => {
  it('differentiates with respect to an intermediate activation and accumulates over uses', () => {
    const g = new Graph();
    const a = g.input('a', [3]);
    const h = op.exp(a);
    const y = op.reduceSum(op.add(op.mul(h, h), h), [0]);
    const [gh, ga] = grad(y, [h, a]);
    const av = [0.1, -0.2, 0.3];
    const [vh, va] = interpret(g, { a: av }, [gh!, ga!]);
    av.forEach((v, i) => {
      expect(vh![i]).toBeCloseTo(2 * Math.exp(v) + 1, 10);
      expect(va![i]).toBeCloseTo((2 * Math.exp(v) + 1) * Math.exp(v), 10);
    });
  });

  it('gives zeros where there is no differentiable path, and prints the graph', () => {
    const g = new Graph();
    const a = g.input('a', [2]);
    const b = g.input('b', [2]);
    const y = op.reduceSum(op.mul(op.stopGradient(b), a), [0]);
    const [gb, ga] = grad(y, [b, a]);
    const [vb, va] = interpret(g, { a: [1, 2], b: [3, 4] }, [gb!, ga!]);
    expect(Array.from(vb!)).toEqual([0, 0]);
    expect(Array.from(va!)).toEqual([3, 4]);
    expect(g.toString()).toContain('StopGradient(b)');
  });

  it('StopGradient holds its value fixed: d/da [a * stop(exp(a))] = exp(a)', () => {
    const g = new Graph();
    const a = g.input('a', [3]);
    const [ga] = grad(op.reduceSum(op.mul(a, op.stopGradient(op.exp(a))), [0]), [a]);
    const av = [0.5, -1, 2];
    const [va] = interpret(g, { a: av }, [ga!]);
    av.forEach((v, i) => {
      expect(va![i]).toBeCloseTo(Math.exp(v), 10);
    });
  });

  it('rejects mismatched shapes with a clear message', () => {
    const g = new Graph();
    expect(() => op.matmul(g.input('a', [2, 3]), g.input('b', [2, 3]))).toThrow(/inner dimensions/);
    expect(() => op.add(g.input('c', [2]), g.input('d', [3]))).toThrow(/broadcast/);
  });
});
