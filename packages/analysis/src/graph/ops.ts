/**
 * The primitive ops. Each op is defined in ONE place: its shape rule (`infer`) and its backward rule (`vjp`, a
 * vector-Jacobian product written with the same primitives). Builders at the bottom (`add`, `matmul`, ...) are
 * the public way to make nodes. Ops without a `vjp` are not differentiable (integer ops, StopGradient).
 */
import type { Attrs, AttrValue, DType, Graph, Node, Tensor } from './graph.js';

export interface OutSpec {
  shape: readonly number[];
  dtype: DType;
}

export interface OpDef {
  /** ONNX op type it is emitted as (defaults to the op's own name). */
  onnx?: string;
  infer(inputs: Tensor[], attrs: Attrs): OutSpec[];
  /**
   * Gradients of the inputs given the gradients of the outputs (null = zero). `needs[i]` says whether input i's
   * gradient is wanted; return null where it is not (or where it is zero).
   */
  vjp?(node: Node, gouts: (Tensor | null)[], needs: boolean[]): (Tensor | null | undefined)[];
}

// ---------------------------------------------------------------------------------------------------- helpers

const int = (value: number): AttrValue => ({ type: 'int', value });
const float = (value: number): AttrValue => ({ type: 'float', value });
const intList = (value: number[]): AttrValue => ({ type: 'ints', value });
const str = (value: string): AttrValue => ({ type: 'string', value });

function attrInt(attrs: Attrs, key: string, fallback?: number): number {
  const a = attrs[key];
  if (a === undefined) {
    if (fallback === undefined) throw new Error(`missing attribute ${key}`);
    return fallback;
  }
  return a.value as number;
}

function attrInts(attrs: Attrs, key: string): number[] {
  const a = attrs[key];
  if (a === undefined) throw new Error(`missing attribute ${key}`);
  return a.value as number[];
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (dim !== 1 && dim !== d)
        throw new Error(`shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} do not broadcast`);
      dim = d;
    }
    out.push(dim);
  }
  return out;
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function constInts(t: Tensor): number[] {
  const v = t.graph.constantValue(t);
  if (!(v instanceof BigInt64Array)) throw new Error(`${t} must be an int64 constant`);
  return Array.from(v, Number);
}

function floatOnly(op: string, inputs: Tensor[]) {
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`${op}: expected float32, got ${t}`);
}

/** Sums a broadcast gradient back down to `shape`. */
export function sumToShape(t: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const lead = t.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < t.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && t.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? reduceSum(t, axes, true) : t;
  return sameShape(summed.shape, shape) ? summed : reshape(summed, shape);
}

const unary =
  (dtypeOut?: DType): OpDef['infer'] =>
  (inputs) => [{ shape: inputs[0]!.shape, dtype: dtypeOut ?? inputs[0]!.dtype }];

const binaryInfer =
  (dtypeOut?: DType): OpDef['infer'] =>
  (inputs) => {
    const [a, b] = inputs as [Tensor, Tensor];
    if (a.dtype !== b.dtype) throw new Error(`dtype mismatch: ${a} vs ${b}`);
    return [{ shape: broadcastShapes(a.shape, b.shape), dtype: dtypeOut ?? a.dtype }];
  };

// ---------------------------------------------------------------------------------------------------- ops

export const DTYPE_TO_ONNX: Record<DType, number> = { float32: 1, int64: 7, bool: 9 };
const ONNX_TO_DTYPE: Record<number, DType> = { 1: 'float32', 7: 'int64', 9: 'bool' };

export const OPS: Record<string, OpDef> = {
  Add: {
    infer: binaryInfer(),
    vjp: ({ inputs: [a, b] }, [g], needs) => [
      needs[0] && g ? sumToShape(g, a!.shape) : null,
      needs[1] && g ? sumToShape(g, b!.shape) : null,
    ],
  },
  Sub: {
    infer: binaryInfer(),
    vjp: ({ inputs: [a, b] }, [g], needs) => [
      needs[0] && g ? sumToShape(g, a!.shape) : null,
      needs[1] && g ? sumToShape(neg(g), b!.shape) : null,
    ],
  },
  Mul: {
    infer: binaryInfer(),
    vjp: ({ inputs: [a, b] }, [g], needs) => [
      needs[0] && g ? sumToShape(mul(g, b!), a!.shape) : null,
      needs[1] && g ? sumToShape(mul(g, a!), b!.shape) : null,
    ],
  },
  Div: {
    infer: binaryInfer(),
    vjp: ({ inputs: [a, b], outputs: [y] }, [g], needs) => [
      needs[0] && g ? sumToShape(div(g, b!), a!.shape) : null,
      needs[1] && g ? sumToShape(neg(div(mul(g, y!), b!)), b!.shape) : null,
    ],
  },
  Neg: { infer: unary(), vjp: (_n, [g]) => [g ? neg(g) : null] },
  Exp: { infer: unary(), vjp: ({ outputs: [y] }, [g]) => [g ? mul(g, y!) : null] },
  Log: { infer: unary(), vjp: ({ inputs: [x] }, [g]) => [g ? div(g, x!) : null] },
  Sqrt: { infer: unary(), vjp: ({ outputs: [y] }, [g]) => [g ? div(mul(g, scalar(y!.graph, 0.5)), y!) : null] },
  Reciprocal: { infer: unary(), vjp: ({ outputs: [y] }, [g]) => [g ? neg(mul(g, mul(y!, y!))) : null] },
  Tanh: {
    infer: unary(),
    vjp: ({ outputs: [y] }, [g]) => [g ? mul(g, sub(scalar(y!.graph, 1), mul(y!, y!))) : null],
  },
  Sigmoid: {
    infer: unary(),
    vjp: ({ outputs: [y] }, [g]) => [g ? mul(g, mul(y!, sub(scalar(y!.graph, 1), y!))) : null],
  },
  Relu: {
    infer: unary(),
    vjp: ({ inputs: [x] }, [g]) => [g ? where(greater(x!, scalar(x!.graph, 0)), g, scalar(x!.graph, 0)) : null],
  },
  Abs: { infer: unary(), vjp: ({ inputs: [x] }, [g]) => [g ? mul(g, sign(x!)) : null] },
  Sign: { infer: unary(), vjp: () => [null] },
  Gelu: {
    // approximate='tanh': 0.5 x (1 + tanh(c (x + 0.044715 x^3))), c = sqrt(2/pi)
    infer: unary(),
    vjp: ({ inputs: [x] }, [g]) => {
      if (!g) return [null];
      const G = x!.graph;
      const c = Math.sqrt(2 / Math.PI);
      const x2 = mul(x!, x!);
      const inner = mul(x!, add(scalar(G, c), mul(x2, scalar(G, c * 0.044715))));
      const t = tanh(inner);
      const dInner = add(scalar(G, c), mul(x2, scalar(G, 3 * c * 0.044715)));
      const half = scalar(G, 0.5);
      const d = add(mul(half, add(scalar(G, 1), t)), mul(mul(half, x!), mul(sub(scalar(G, 1), mul(t, t)), dInner)));
      return [mul(g, d)];
    },
  },
  Identity: { infer: unary(), vjp: (_n, [g]) => [g] },
  /** Identity in the forward pass, zero gradient. Emitted as ONNX Identity. */
  StopGradient: { onnx: 'Identity', infer: unary() },
  Cast: {
    // `to` is the ONNX TensorProto data type: 1 float, 7 int64, 9 bool.
    infer: (inputs, attrs) => [{ shape: inputs[0]!.shape, dtype: ONNX_TO_DTYPE[attrInt(attrs, 'to')]! }],
    vjp: ({ inputs: [x] }, [g]) => [g && x!.dtype === 'float32' ? g : null],
  },
  Equal: { infer: binaryInfer('bool') },
  Greater: { infer: binaryInfer('bool') },
  Less: { infer: binaryInfer('bool') },
  Not: { infer: unary('bool') },
  Where: {
    infer: ([c, a, b]) => {
      if (c!.dtype !== 'bool') throw new Error(`Where: condition must be bool, got ${c}`);
      if (a!.dtype !== b!.dtype) throw new Error(`Where: dtype mismatch ${a} vs ${b}`);
      return [{ shape: broadcastShapes(c!.shape, a!.shape, b!.shape), dtype: a!.dtype }];
    },
    vjp: ({ inputs: [c, a, b] }, [g], needs) => {
      if (!g) return [null, null, null];
      const zero = scalar(g.graph, 0);
      return [
        null,
        needs[1] ? sumToShape(where(c!, g, zero), a!.shape) : null,
        needs[2] ? sumToShape(where(c!, zero, g), b!.shape) : null,
      ];
    },
  },
  MatMul: {
    infer: ([a, b]) => {
      floatOnly('MatMul', [a!, b!]);
      if (a!.rank < 2 || b!.rank < 2) throw new Error(`MatMul: operands must have rank >= 2 (${a}, ${b})`);
      const [m, k] = a!.shape.slice(-2) as [number, number];
      const [k2, n] = b!.shape.slice(-2) as [number, number];
      if (k !== k2) throw new Error(`MatMul: inner dimensions differ (${a}, ${b})`);
      return [{ shape: [...broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2)), m, n], dtype: 'float32' }];
    },
    vjp: ({ inputs: [a, b] }, [g], needs) => {
      if (!g) return [null, null];
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (needs[0]) {
        if (b!.rank === 2) {
          // [.., M, N] x [K, N]^T as one Gemm with transB: no transposed copy of a weight matrix.
          const n = g.shape[g.rank - 1]!;
          const flat = g.rank === 2 ? g : reshape(g, [-1, n]);
          const prod = gemm(flat, b!, undefined, { transB: true });
          ga = a!.rank === 2 ? prod : reshape(prod, a!.shape);
        } else {
          ga = sumToShape(matmul(g, transposeLast(b!)), a!.shape);
        }
      }
      if (needs[1]) {
        if (b!.rank === 2 && a!.rank > 2) {
          // [.., M, K] x [K, N]: fold the batch into M and do one matmul.
          const k = a!.shape[a!.rank - 1]!;
          const n = g.shape[g.rank - 1]!;
          gb = matmul(transposeLast(reshape(a!, [-1, k])), reshape(g, [-1, n]));
        } else {
          gb = sumToShape(matmul(transposeLast(a!), g), b!.shape);
        }
      }
      return [ga, gb];
    },
  },
  Gemm: {
    // Y = A B' + C with A [M, K]; B [K, N], or [N, K] when transB = 1; C broadcast to [M, N].
    infer: (inputs, attrs) => {
      const [a, b, c] = inputs;
      floatOnly('Gemm', inputs);
      if (a!.rank !== 2 || b!.rank !== 2) throw new Error('Gemm: A and B must be 2-D');
      if (attrInt(attrs, 'transA', 0)) throw new Error('Gemm: transA is not supported');
      const transB = attrInt(attrs, 'transB', 0);
      const [m, k] = a!.shape as [number, number];
      const [kb, n] = (transB ? [b!.shape[1], b!.shape[0]] : b!.shape) as [number, number];
      if (k !== kb) throw new Error(`Gemm: inner dimensions differ (${a}, ${b}, transB=${transB})`);
      if (c) broadcastShapes(c.shape, [m, n]);
      return [{ shape: [m, n], dtype: 'float32' }];
    },
    vjp: ({ inputs: [a, b, c], attrs }, [g], needs) => {
      if (!g) return [null, null, null];
      const transB = attrInt(attrs, 'transB', 0);
      const ga = needs[0] ? (transB ? matmul(g, b!) : gemm(g, b!, undefined, { transB: true })) : null;
      const gb = needs[1] ? (transB ? matmul(transposeLast(g), a!) : matmul(transposeLast(a!), g)) : null;
      const gc = c && needs[2] ? sumToShape(g, c.shape) : null;
      return [ga, gb, gc];
    },
  },
  ReduceSum: {
    infer: reduceInfer,
    vjp: ({ inputs: [x], attrs }, [g]) => [
      g ? expand(reshape(g, keptShape(x!.shape, attrInts(attrs, 'axes'))), x!.shape) : null,
    ],
  },
  ReduceMean: {
    infer: reduceInfer,
    vjp: ({ inputs: [x], attrs }, [g]) => {
      if (!g) return [null];
      const axes = attrInts(attrs, 'axes');
      const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
      return [expand(reshape(mul(g, scalar(g.graph, 1 / count)), keptShape(x!.shape, axes)), x!.shape)];
    },
  },
  ReduceMax: {
    infer: reduceInfer,
    vjp: ({ inputs: [x], outputs: [y], attrs }, [g]) => {
      if (!g) return [null];
      const kept = keptShape(x!.shape, attrInts(attrs, 'axes'));
      const isMax = equal(x!, reshape(y!, kept));
      return [where(isMax, reshape(g, kept), scalar(g.graph, 0))];
    },
  },
  Softmax: {
    infer: unary(),
    vjp: ({ outputs: [y], attrs }, [g]) => {
      if (!g) return [null];
      const axis = attrInt(attrs, 'axis');
      return [mul(y!, sub(g, reduceSum(mul(g, y!), [axis], true)))];
    },
  },
  LayerNormalization: {
    // Outputs Y, Mean, InvStdDev (normalised over the last axis; Mean and InvStdDev keep it as size 1).
    infer: (inputs, attrs) => {
      const [x, scale, bias] = inputs as [Tensor, Tensor, Tensor];
      floatOnly('LayerNormalization', inputs);
      if (normAxis(attrInt(attrs, 'axis', -1), x.rank) !== x.rank - 1)
        throw new Error('LayerNormalization: only the last axis is supported');
      const d = x.shape[x.rank - 1]!;
      if (!sameShape(scale.shape, [d]) || !sameShape(bias.shape, [d]))
        throw new Error('LayerNormalization: scale and bias must be [d]');
      const stat = [...x.shape.slice(0, -1), 1];
      return [
        { shape: x.shape, dtype: 'float32' },
        { shape: stat, dtype: 'float32' },
        { shape: stat, dtype: 'float32' },
      ];
    },
    vjp: ({ inputs: [x, scale], outputs: [, mean, invStd] }, [g, gMean, gInv], needs) => {
      const xhat = mul(sub(x!, mean!), invStd!);
      const axes = Array.from({ length: x!.rank - 1 }, (_, i) => i);
      let gx: Tensor | null = null;
      if (needs[0]) {
        if (g) {
          const gh = mul(g, scale!);
          const m1 = reduceMean(gh, [-1], true);
          const m2 = reduceMean(mul(gh, xhat), [-1], true);
          gx = mul(invStd!, sub(sub(gh, m1), mul(xhat, m2)));
        }
        const d = x!.shape[x!.rank - 1]!;
        // d mean / dx = 1/d; d invStd / dx = -invStd^2 * xhat / d
        if (gMean) gx = addMaybe(gx, expand(mul(gMean, scalar(x!.graph, 1 / d)), x!.shape));
        if (gInv) gx = addMaybe(gx, mul(mul(gInv, mul(invStd!, invStd!)), mul(xhat, scalar(x!.graph, -1 / d))));
      }
      return [
        gx,
        needs[1] && g ? reduceSum(mul(g, xhat), axes, false) : null,
        needs[2] && g ? reduceSum(g, axes, false) : null,
      ];
    },
  },
  Gather: {
    infer: ([data, indices], attrs) => {
      if (indices!.dtype !== 'int64') throw new Error(`Gather: indices must be int64, got ${indices}`);
      const axis = normAxis(attrInt(attrs, 'axis', 0), data!.rank);
      return [
        {
          shape: [...data!.shape.slice(0, axis), ...indices!.shape, ...data!.shape.slice(axis + 1)],
          dtype: data!.dtype,
        },
      ];
    },
    vjp: ({ inputs: [data, indices], attrs }, [g], needs) => {
      if (!g || !needs[0]) return [null, null];
      if (normAxis(attrInt(attrs, 'axis', 0), data!.rank) !== 0) throw new Error('Gather: gradient only along axis 0');
      const n = indices!.size;
      const rest = data!.shape.slice(1);
      const zeros = expand(scalar(g.graph, 0), data!.shape);
      return [scatterAdd(zeros, reshape(indices!, [n, 1]), reshape(g, [n, ...rest])), null];
    },
  },
  ScatterND: {
    infer: ([data, indices, updates]) => {
      if (indices!.dtype !== 'int64') throw new Error('ScatterND: indices must be int64');
      void updates;
      return [{ shape: data!.shape, dtype: data!.dtype }];
    },
    vjp: ({ inputs: [, indices] }, [g], needs) => {
      // reduction='add': d/d data = g; d/d updates = g gathered at the indices.
      if (!g) return [null, null, null];
      return [needs[0] ? g : null, null, needs[2] ? gatherND(g, indices!) : null];
    },
  },
  TopK: {
    // The k largest along the last axis, sorted, with their int64 indices (ONNX TopK, opset 11+).
    infer: ([x, k], attrs) => {
      const kv = x!.graph.constantValue(k!);
      if (!(kv instanceof BigInt64Array) || kv.length !== 1) throw new Error('TopK: K must be an int64 constant [1]');
      if (normAxis(attrInt(attrs, 'axis'), x!.rank) !== x!.rank - 1) throw new Error('TopK: only the last axis');
      const shape = [...x!.shape.slice(0, -1), Number(kv[0])];
      return [
        { shape, dtype: x!.dtype },
        { shape, dtype: 'int64' },
      ];
    },
    // Each value is one input element: its gradient goes back to where Indices says it came from.
    vjp: ({ inputs: [x], outputs: [, indices] }, [g]) => [g ? scatterAddLast(zerosLike(x!), indices!, g) : null, null],
  },
  GatherND: {
    infer: ([data, indices]) => {
      const k = indices!.shape[indices!.rank - 1]!;
      return [{ shape: [...indices!.shape.slice(0, -1), ...data!.shape.slice(k)], dtype: data!.dtype }];
    },
    vjp: ({ inputs: [data, indices] }, [g], needs) => {
      if (!g || !needs[0]) return [null, null];
      return [scatterAdd(expand(scalar(g.graph, 0), data!.shape), indices!, g), null];
    },
  },
  Reshape: {
    infer: ([x, shapeT]) => {
      const target = constInts(shapeT!);
      const known = target.reduce((n, d, i) => (d === -1 ? n : n * (d === 0 ? x!.shape[i]! : d)), 1);
      const shape = target.map((d, i) => (d === -1 ? x!.size / known : d === 0 ? x!.shape[i]! : d));
      if (shape.reduce((a, b) => a * b, 1) !== x!.size)
        throw new Error(`Reshape: cannot reshape ${x} to [${target.join(',')}]`);
      return [{ shape, dtype: x!.dtype }];
    },
    vjp: ({ inputs: [x] }, [g]) => [g ? reshape(g, x!.shape) : null, null],
  },
  Expand: {
    infer: ([x, shapeT]) => [{ shape: broadcastShapes(x!.shape, constInts(shapeT!)), dtype: x!.dtype }],
    vjp: ({ inputs: [x] }, [g]) => [g ? sumToShape(g, x!.shape) : null, null],
  },
  Transpose: {
    infer: ([x], attrs) => [{ shape: attrInts(attrs, 'perm').map((p) => x!.shape[p]!), dtype: x!.dtype }],
    vjp: (node, [g]) => {
      if (!g) return [null];
      const perm = attrInts(node.attrs, 'perm');
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return [transpose(g, inverse)];
    },
  },
  Slice: {
    // starts, ends, axes as int64 constants; step 1.
    infer: ([x, starts, ends, axes]) => {
      const shape = [...x!.shape];
      const s = constInts(starts!);
      const e = constInts(ends!);
      constInts(axes!).forEach((a, i) => {
        const ax = normAxis(a, x!.rank);
        const dim = x!.shape[ax]!;
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
        shape[ax] = Math.max(0, clamp(e[i]!) - clamp(s[i]!));
      });
      return [{ shape, dtype: x!.dtype }];
    },
    vjp: ({ inputs: [x, starts, , axes] }, [g]) => {
      if (!g) return [null];
      const pads = new Array<number>(2 * x!.rank).fill(0);
      const s = constInts(starts!);
      constInts(axes!).forEach((a, i) => {
        const ax = normAxis(a, x!.rank);
        const dim = x!.shape[ax]!;
        const begin = Math.min(Math.max(s[i]! < 0 ? s[i]! + dim : s[i]!, 0), dim);
        pads[ax] = begin;
        pads[ax + x!.rank] = dim - begin - g.shape[ax]!;
      });
      return [pad(g, pads)];
    },
  },
  Pad: {
    infer: ([x, pads]) => {
      const p = constInts(pads!);
      return [{ shape: x!.shape.map((d, i) => d + p[i]! + p[i + x!.rank]!), dtype: x!.dtype }];
    },
    vjp: ({ inputs: [x, pads] }, [g]) => {
      if (!g) return [null];
      const p = constInts(pads!);
      const axes = x!.shape.map((_, i) => i);
      return [
        slice(
          g,
          axes.map((i) => p[i]!),
          axes.map((i) => p[i]! + x!.shape[i]!),
          axes,
        ),
      ];
    },
  },
  Concat: {
    infer: (inputs, attrs) => {
      const axis = normAxis(attrInt(attrs, 'axis'), inputs[0]!.rank);
      const shape = [...inputs[0]!.shape];
      shape[axis] = inputs.reduce((n, t) => n + t.shape[axis]!, 0);
      return [{ shape, dtype: inputs[0]!.dtype }];
    },
    vjp: ({ inputs, attrs }, [g]) => {
      if (!g) return inputs.map(() => null);
      const axis = normAxis(attrInt(attrs, 'axis'), g.rank);
      return split(
        g,
        axis,
        inputs.map((t) => t.shape[axis]!),
      );
    },
  },
  Split: {
    infer: ([x, sizes], attrs) => {
      const axis = normAxis(attrInt(attrs, 'axis'), x!.rank);
      const s = constInts(sizes!);
      if (s.reduce((a, b) => a + b, 0) !== x!.shape[axis])
        throw new Error(`Split: sizes ${s} do not sum to ${x!.shape[axis]}`);
      return s.map((d) => ({ shape: x!.shape.map((v, i) => (i === axis ? d : v)), dtype: x!.dtype }));
    },
    vjp: ({ outputs, attrs }, gouts) => {
      const axis = attrInt(attrs, 'axis');
      const parts = outputs.map((o, i) => gouts[i] ?? expand(scalar(o.graph, 0), o.shape));
      return [concat(parts, axis), null];
    },
  },
};

const addMaybe = (a: Tensor | null, b: Tensor): Tensor => (a ? add(a, b) : b);

function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reduceInfer(inputs: Tensor[], attrs: Attrs): OutSpec[] {
  const [x] = inputs as [Tensor];
  const axes = attrInts(attrs, 'axes');
  const keep = attrInt(attrs, 'keepdims', 1);
  const shape = keep ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
  return [{ shape, dtype: x.dtype }];
}

// ---------------------------------------------------------------------------------------------------- builders

function make(op: string, inputs: Tensor[], attrs: Attrs = {}): Node {
  const def = OPS[op];
  if (!def) throw new Error(`unknown op ${op}`);
  const graph = inputs[0]!.graph;
  return graph.addNode(op, inputs, attrs, def.infer(inputs, attrs));
}

const one = (op: string, inputs: Tensor[], attrs: Attrs = {}) => make(op, inputs, attrs).outputs[0]!;

export const scalar = (graph: Graph, value: number): Tensor => graph.constant(value, []);
export const add = (a: Tensor, b: Tensor) => one('Add', [a, b]);
export const sub = (a: Tensor, b: Tensor) => one('Sub', [a, b]);
export const mul = (a: Tensor, b: Tensor) => one('Mul', [a, b]);
export const div = (a: Tensor, b: Tensor) => one('Div', [a, b]);
export const neg = (x: Tensor) => one('Neg', [x]);
export const exp = (x: Tensor) => one('Exp', [x]);
export const log = (x: Tensor) => one('Log', [x]);
export const sqrt = (x: Tensor) => one('Sqrt', [x]);
export const reciprocal = (x: Tensor) => one('Reciprocal', [x]);
export const tanh = (x: Tensor) => one('Tanh', [x]);
export const sigmoid = (x: Tensor) => one('Sigmoid', [x]);
export const relu = (x: Tensor) => one('Relu', [x]);
export const abs = (x: Tensor) => one('Abs', [x]);
export const sign = (x: Tensor) => one('Sign', [x]);
/** GELU, tanh approximation (GPT-2's gelu_new). */
export const gelu = (x: Tensor) => one('Gelu', [x], { approximate: str('tanh') });
export const identity = (x: Tensor) => one('Identity', [x]);
export const stopGradient = (x: Tensor) => one('StopGradient', [x]);
export const cast = (x: Tensor, to: DType) => one('Cast', [x], { to: int(DTYPE_TO_ONNX[to]) });
export const equal = (a: Tensor, b: Tensor) => one('Equal', [a, b]);
export const greater = (a: Tensor, b: Tensor) => one('Greater', [a, b]);
export const less = (a: Tensor, b: Tensor) => one('Less', [a, b]);
export const not = (x: Tensor) => one('Not', [x]);
export const where = (cond: Tensor, a: Tensor, b: Tensor) => one('Where', [cond, a, b]);
export const matmul = (a: Tensor, b: Tensor) => one('MatMul', [a, b]);
export function gemm(a: Tensor, b: Tensor, c?: Tensor, opts: { transB?: boolean } = {}): Tensor {
  return one('Gemm', c ? [a, b, c] : [a, b], { transB: int(opts.transB ? 1 : 0) });
}
function reduce(op: string, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const norm = [...new Set(axes.map((a) => normAxis(a, x.rank)))].sort((a, b) => a - b);
  return one(op, [x], { axes: intList(norm), keepdims: int(keepdims ? 1 : 0) });
}
export const reduceSum = (x: Tensor, axes: number[], keepdims = false) => reduce('ReduceSum', x, axes, keepdims);
export const reduceMean = (x: Tensor, axes: number[], keepdims = false) => reduce('ReduceMean', x, axes, keepdims);
export const reduceMax = (x: Tensor, axes: number[], keepdims = false) => reduce('ReduceMax', x, axes, keepdims);
export const softmax = (x: Tensor, axis = -1) => one('Softmax', [x], { axis: int(normAxis(axis, x.rank)) });
/** LayerNormalization over the last axis; returns [y, mean, invStdDev]. */
export function layerNormalization(x: Tensor, scale: Tensor, bias: Tensor, epsilon = 1e-5): [Tensor, Tensor, Tensor] {
  const outs = make('LayerNormalization', [x, scale, bias], { axis: int(-1), epsilon: float(epsilon) }).outputs;
  return [outs[0]!, outs[1]!, outs[2]!];
}
export const gather = (data: Tensor, indices: Tensor, axis = 0) => one('Gather', [data, indices], { axis: int(axis) });
export const gatherND = (data: Tensor, indices: Tensor) => one('GatherND', [data, indices]);
/** ScatterND with reduction='add'. */
export const scatterAdd = (data: Tensor, indices: Tensor, updates: Tensor) =>
  one('ScatterND', [data, indices, updates], { reduction: str('add') });
/** The k largest (or, with largest false, smallest) values along the last axis, sorted, and their indices. */
export function topK(x: Tensor, k: number, opts: { largest?: boolean } = {}): [Tensor, Tensor] {
  const largest = int(opts.largest === false ? 0 : 1);
  const outs = make('TopK', [x, x.graph.ints([k])], { axis: int(-1), largest, sorted: int(1) }).outputs;
  return [outs[0]!, outs[1]!];
}
/** `data` plus `updates` placed at `indices` along the last axis (indices and updates have one shape). */
export function scatterAddLast(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
  const n = data.shape.at(-1)!;
  const k = indices.shape.at(-1)!;
  const rows = indices.size / k;
  // ScatterND wants (row, column) pairs: the row of each index, beside the index.
  const rowOf = data.graph.ints(
    Array.from({ length: rows * k }, (_, i) => Math.floor(i / k)),
    [rows * k, 1],
  );
  const at = concat([rowOf, reshape(indices, [rows * k, 1])], 1);
  return reshape(scatterAdd(reshape(data, [rows, n]), at, reshape(updates, [rows * k])), data.shape);
}
export const reshape = (x: Tensor, shape: readonly number[]) => one('Reshape', [x, x.graph.ints(shape)]);
export const expand = (x: Tensor, shape: readonly number[]) => one('Expand', [x, x.graph.ints(shape)]);
export const transpose = (x: Tensor, perm: number[]) => one('Transpose', [x], { perm: intList(perm) });
export function transposeLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return transpose(x, perm);
}
export function slice(x: Tensor, starts: number[], ends: number[], axes: number[]): Tensor {
  const g = x.graph;
  return one('Slice', [x, g.ints(starts), g.ints(ends), g.ints(axes)]);
}
export const pad = (x: Tensor, pads: number[]) => one('Pad', [x, x.graph.ints(pads)]);
export const concat = (xs: Tensor[], axis: number) => one('Concat', xs, { axis: int(normAxis(axis, xs[0]!.rank)) });
export function split(x: Tensor, axis: number, sizes: number[]): Tensor[] {
  return make('Split', [x, x.graph.ints(sizes)], { axis: int(normAxis(axis, x.rank)) }).outputs;
}
export const unsqueeze = (x: Tensor, axis: number) => {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
};
export const zerosLike = (x: Tensor) => expand(scalar(x.graph, 0), x.shape);
