/**
 * A plain-TypeScript float64 interpreter for Graphs: slow, simple, and exact enough to check the ONNX runtime and
 * the backward rules against finite differences. Integers and booleans are held as float64 too.
 */
import type { Graph, Node, Tensor } from './graph.js';
import { broadcastShapes } from './ops.js';

export interface Array64 {
  shape: number[];
  data: Float64Array;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Index into `src` (shape `from`) for each element of a broadcast result of shape `to`. */
function broadcastIndex(from: readonly number[], to: readonly number[]): Int32Array {
  const out = new Int32Array(sizeOf(to));
  const lead = to.length - from.length;
  const fs = strides(from);
  const ts = strides(to);
  for (let i = 0; i < out.length; i++) {
    let rem = i;
    let idx = 0;
    for (let d = 0; d < to.length; d++) {
      const coord = Math.floor(rem / ts[d]!);
      rem -= coord * ts[d]!;
      if (d >= lead && from[d - lead] !== 1) idx += coord * fs[d - lead]!;
    }
    out[i] = idx;
  }
  return out;
}

function elementwise(arrays: Array64[], f: (...v: number[]) => number): Array64 {
  const shape = broadcastShapes(...arrays.map((a) => a.shape));
  const idx = arrays.map((a) => broadcastIndex(a.shape, shape));
  const data = new Float64Array(sizeOf(shape));
  const vals = new Array<number>(arrays.length);
  for (let i = 0; i < data.length; i++) {
    for (let k = 0; k < arrays.length; k++) vals[k] = arrays[k]!.data[idx[k]![i]!]!;
    data[i] = f(...vals);
  }
  return { shape, data };
}

function permute(x: Array64, perm: number[]): Array64 {
  const shape = perm.map((p) => x.shape[p]!);
  const xs = strides(x.shape);
  const os = strides(shape);
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    let rem = i;
    let src = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rem / os[d]!);
      rem -= c * os[d]!;
      src += c * xs[perm[d]!]!;
    }
    data[i] = x.data[src]!;
  }
  return { shape, data };
}

/** Applies f to each 1-D lane along `axis`. */
function lanes(x: Array64, axis: number, f: (lane: Float64Array) => Float64Array, outLen?: number): Array64 {
  const n = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outer = sizeOf(x.shape.slice(0, axis));
  const m = outLen ?? n;
  const shape = [...x.shape];
  shape[axis] = m;
  const data = new Float64Array(outer * m * inner);
  const lane = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let k = 0; k < n; k++) lane[k] = x.data[(o * n + k) * inner + i]!;
      const r = f(lane);
      for (let k = 0; k < m; k++) data[(o * m + k) * inner + i] = r[k]!;
    }
  }
  return { shape, data };
}

function matmul(a: Array64, b: Array64): Array64 {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const ai = broadcastIndex(a.shape.slice(0, -2), batch);
  const bi = broadcastIndex(b.shape.slice(0, -2), batch);
  const data = new Float64Array(sizeOf(batch) * m * n);
  for (let p = 0; p < ai.length; p++) {
    const ao = ai[p]! * m * k;
    const bo = bi[p]! * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a.data[ao + i * k + q]! * b.data[bo + q * n + j]!;
        data[p * m * n + i * n + j] = s;
      }
  }
  return { shape: [...batch, m, n], data };
}

function intsOf(a: Array64): number[] {
  return Array.from(a.data);
}

function evalNode(node: Node, ins: Array64[]): Array64[] {
  const [x, y, z] = ins as [Array64, Array64, Array64];
  const attr = (k: string) => node.attrs[k]?.value;
  const out0 = node.outputs[0]!;
  const shaped = (data: Float64Array): Array64 => ({ shape: [...out0.shape], data });
  const reduceAxes = () => attr('axes') as number[];
  const reduceWith = (init: number, f: (acc: number, v: number) => number, post = (v: number, _n: number) => v) => {
    let cur = x;
    for (const axis of reduceAxes()) {
      const n = cur.shape[axis]!;
      cur = lanes(
        cur,
        axis,
        (lane) =>
          Float64Array.of(
            post(
              lane.reduce((acc, v) => f(acc, v), init),
              n,
            ),
          ),
        1,
      );
    }
    return [shaped(cur.data)];
  };
  switch (node.op) {
    case 'Add':
      return [elementwise([x, y], (a, b) => a + b)];
    case 'Sub':
      return [elementwise([x, y], (a, b) => a - b)];
    case 'Mul':
      return [elementwise([x, y], (a, b) => a * b)];
    case 'Div':
      return [elementwise([x, y], (a, b) => a / b)];
    case 'Neg':
      return [elementwise([x], (a) => -a)];
    case 'Exp':
      return [elementwise([x], Math.exp)];
    case 'Log':
      return [elementwise([x], Math.log)];
    case 'Sqrt':
      return [elementwise([x], Math.sqrt)];
    case 'Reciprocal':
      return [elementwise([x], (a) => 1 / a)];
    case 'Tanh':
      return [elementwise([x], Math.tanh)];
    case 'Sigmoid':
      return [elementwise([x], (a) => 1 / (1 + Math.exp(-a)))];
    case 'Relu':
      return [elementwise([x], (a) => Math.max(a, 0))];
    case 'Abs':
      return [elementwise([x], Math.abs)];
    case 'Sign':
      return [elementwise([x], Math.sign)];
    case 'Gelu': {
      const c = Math.sqrt(2 / Math.PI);
      return [elementwise([x], (a) => 0.5 * a * (1 + Math.tanh(c * (a + 0.044715 * a * a * a))))];
    }
    case 'Identity':
    case 'StopGradient':
    case 'Cast':
      return [{ shape: [...x.shape], data: x.data.slice() }];
    case 'Equal':
      return [elementwise([x, y], (a, b) => Number(a === b))];
    case 'Greater':
      return [elementwise([x, y], (a, b) => Number(a > b))];
    case 'Less':
      return [elementwise([x, y], (a, b) => Number(a < b))];
    case 'Not':
      return [elementwise([x], (a) => Number(!a))];
    case 'Where':
      return [elementwise([x, y, z], (c, a, b) => (c ? a : b))];
    case 'MatMul':
      return [matmul(x, y)];
    case 'Gemm': {
      const b = attr('transB') ? permute(y, [1, 0]) : y;
      const r = matmul(x, b);
      return [ins[2] ? elementwise([r, z], (p, q) => p + q) : r];
    }
    case 'ReduceSum':
      return reduceWith(0, (a, v) => a + v);
    case 'ReduceMean':
      return reduceWith(
        0,
        (a, v) => a + v,
        (s, n) => s / n,
      );
    case 'ReduceMax':
      return reduceWith(Number.NEGATIVE_INFINITY, (a, v) => Math.max(a, v));
    case 'Softmax':
      return [
        lanes(x, attr('axis') as number, (lane) => {
          const m = Math.max(...lane);
          const e = lane.map((v) => Math.exp(v - m));
          const s = e.reduce((a, b) => a + b, 0);
          return e.map((v) => v / s);
        }),
      ];
    case 'LayerNormalization': {
      const eps = attr('epsilon') as number;
      const d = x.shape[x.shape.length - 1]!;
      const rows = x.data.length / d;
      const yv = new Float64Array(x.data.length);
      const mean = new Float64Array(rows);
      const inv = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let m = 0;
        for (let i = 0; i < d; i++) m += x.data[r * d + i]!;
        m /= d;
        let v = 0;
        for (let i = 0; i < d; i++) v += (x.data[r * d + i]! - m) ** 2;
        const s = 1 / Math.sqrt(v / d + eps);
        mean[r] = m;
        inv[r] = s;
        for (let i = 0; i < d; i++) yv[r * d + i] = (x.data[r * d + i]! - m) * s * y.data[i]! + z.data[i]!;
      }
      const stat = [...x.shape.slice(0, -1), 1];
      return [shaped(yv), { shape: stat, data: mean }, { shape: stat, data: inv }];
    }
    case 'Gather': {
      const axis = ((attr('axis') as number) + x.shape.length) % x.shape.length;
      const outer = sizeOf(x.shape.slice(0, axis));
      const inner = sizeOf(x.shape.slice(axis + 1));
      const n = x.shape[axis]!;
      const idx = y.data;
      const data = new Float64Array(outer * idx.length * inner);
      for (let o = 0; o < outer; o++)
        for (let j = 0; j < idx.length; j++) {
          const k = idx[j]! < 0 ? idx[j]! + n : idx[j]!;
          for (let i = 0; i < inner; i++) data[(o * idx.length + j) * inner + i] = x.data[(o * n + k) * inner + i]!;
        }
      return [shaped(data)];
    }
    case 'GatherND':
    case 'ScatterND': {
      const data = x;
      const idx = y;
      const k = idx.shape[idx.shape.length - 1]!;
      const rows = idx.data.length / k;
      const inner = sizeOf(data.shape.slice(k));
      const ds = strides(data.shape);
      const out = node.op === 'GatherND' ? new Float64Array(rows * inner) : data.data.slice();
      for (let r = 0; r < rows; r++) {
        let off = 0;
        for (let q = 0; q < k; q++) off += idx.data[r * k + q]! * ds[q]!;
        for (let i = 0; i < inner; i++) {
          if (node.op === 'GatherND') out[r * inner + i] = data.data[off + i]!;
          else out[off + i]! += z.data[r * inner + i]!;
        }
      }
      return [shaped(out)];
    }
    case 'TopK': {
      // Last axis only (as the op's shape rule demands); ties go to the lower index, as in ONNX.
      const k = y.data[0]!;
      const n = x.shape[x.shape.length - 1]!;
      const rows = x.data.length / n;
      const sign = attr('largest') === 0 ? -1 : 1;
      const values = new Float64Array(rows * k);
      const indices = new Float64Array(rows * k);
      for (let r = 0; r < rows; r++) {
        const order = Array.from({ length: n }, (_, i) => i);
        order.sort((a, b) => sign * (x.data[r * n + b]! - x.data[r * n + a]!) || a - b);
        for (let j = 0; j < k; j++) {
          indices[r * k + j] = order[j]!;
          values[r * k + j] = x.data[r * n + order[j]!]!;
        }
      }
      const shape = [...x.shape.slice(0, -1), k];
      return [
        { shape, data: values },
        { shape, data: indices },
      ];
    }
    case 'Reshape':
      return [shaped(x.data.slice())];
    case 'Expand':
      return [elementwise([x, { shape: intsOf(y), data: new Float64Array(sizeOf(intsOf(y))) }], (a) => a)];
    case 'Transpose':
      return [permute(x, attr('perm') as number[])];
    case 'Slice': {
      const starts = intsOf(y);
      const axes = intsOf(ins[3]!);
      const begin = new Array<number>(x.shape.length).fill(0);
      axes.forEach((a, i) => {
        const ax = (a + x.shape.length) % x.shape.length;
        const dim = x.shape[ax]!;
        const s = starts[i]!;
        begin[ax] = Math.min(Math.max(s < 0 ? s + dim : s, 0), dim);
      });
      return [copyRegion(x, begin, out0.shape, 'read')];
    }
    case 'Pad': {
      const p = intsOf(y);
      return [copyRegion(x, p.slice(0, x.shape.length), out0.shape, 'write')];
    }
    case 'Concat': {
      const axis = attr('axis') as number;
      const outer = sizeOf(out0.shape.slice(0, axis));
      const inner = sizeOf(out0.shape.slice(axis + 1));
      const total = out0.shape[axis]!;
      const data = new Float64Array(sizeOf(out0.shape));
      let at = 0;
      for (const part of ins) {
        const n = part.shape[axis]!;
        for (let o = 0; o < outer; o++)
          for (let k = 0; k < n * inner; k++) data[(o * total + at) * inner + k] = part.data[o * n * inner + k]!;
        at += n;
      }
      return [shaped(data)];
    }
    case 'Split': {
      const axis = node.attrs.axis!.value as number;
      let at = 0;
      return node.outputs.map((o) => {
        const begin = x.shape.map((_, i) => (i === axis ? at : 0));
        at += o.shape[axis]!;
        return copyRegion(x, begin, o.shape, 'read');
      });
    }
    default:
      throw new Error(`interpreter: no rule for ${node.op}`);
  }
}

/** read: out = x[begin : begin + shape]; write: out (zeros of `shape`) with x placed at `begin`. */
function copyRegion(x: Array64, begin: number[], shape: readonly number[], mode: 'read' | 'write'): Array64 {
  const small = mode === 'read' ? shape : x.shape;
  const big = mode === 'read' ? x.shape : shape;
  const bs = strides(big);
  const ss = strides(small);
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < sizeOf(small); i++) {
    let rem = i;
    let off = 0;
    for (let d = 0; d < small.length; d++) {
      const c = Math.floor(rem / ss[d]!);
      rem -= c * ss[d]!;
      off += (c + begin[d]!) * bs[d]!;
    }
    if (mode === 'read') data[i] = x.data[off]!;
    else data[off] = x.data[i]!;
  }
  return { shape: [...shape], data };
}

/**
 * Evaluates `outputs` given values for inputs and weights (any numeric arrays; converted to float64).
 */
export function interpret(
  graph: Graph,
  feeds: Record<string, ArrayLike<number> | BigInt64Array>,
  outputs: Tensor[],
): Float64Array[] {
  const values = new Map<number, Array64>();
  const value = (t: Tensor): Array64 => {
    const v = values.get(t.id);
    if (v) return v;
    if (t.kind === 'constant') {
      const c = graph.constantValue(t)!;
      const arr = { shape: [...t.shape], data: Float64Array.from(c as ArrayLike<number | bigint>, Number) };
      values.set(t.id, arr);
      return arr;
    }
    if (t.kind !== 'node') {
      const f = feeds[t.name];
      if (!f) throw new Error(`interpreter: no value for ${t}`);
      if (f.length !== t.size) throw new Error(`interpreter: ${t} fed ${f.length} values`);
      const arr = { shape: [...t.shape], data: Float64Array.from(f as ArrayLike<number | bigint>, Number) };
      values.set(t.id, arr);
      return arr;
    }
    throw new Error(`interpreter: ${t} not computed`);
  };
  const needed = new Set<number>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (needed.has(t.id)) continue;
    needed.add(t.id);
    if (t.producer) stack.push(...t.producer.inputs);
  }
  for (const node of graph.nodes) {
    if (!node.outputs.some((o) => needed.has(o.id))) continue;
    const res = evalNode(node, node.inputs.map(value));
    node.outputs.forEach((o, i) => {
      values.set(o.id, { shape: [...o.shape], data: res[i]!.data });
    });
  }
  return outputs.map((t) => value(t).data);
}
