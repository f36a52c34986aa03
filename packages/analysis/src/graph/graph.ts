/**
 * A small typed tensor graph. Every tensor has a static shape and a dtype; every node is one primitive op whose
 * shape rule and backward rule live in ops.ts. The graph is plain data: print it with `graph.toString()`,
 * differentiate it with autodiff.ts, emit it as ONNX with onnx.ts.
 */

export type DType = 'float32' | 'int64' | 'bool';

export type TensorKind = 'input' | 'weight' | 'constant' | 'node';

export type AttrValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: number[] }
  | { type: 'string'; value: string };

export type Attrs = Record<string, AttrValue>;

export type ConstantData = Float32Array | BigInt64Array | Uint8Array;

export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly kind: TensorKind,
    /** The node that computes it (kind 'node' only). */
    readonly producer: Node | null,
    /** Name of an input or weight; `t{id}` otherwise. */
    readonly name: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  toString(): string {
    return `${this.name}:${this.dtype}[${this.shape.join(',')}]`;
  }
}

export interface Node {
  id: number;
  op: string;
  inputs: Tensor[];
  outputs: Tensor[];
  attrs: Attrs;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly tensors: Tensor[] = [];
  readonly constants = new Map<number, ConstantData>();
  private readonly names = new Set<string>();

  private newTensor(shape: readonly number[], dtype: DType, kind: TensorKind, producer: Node | null, name?: string) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape.join(',')}]`);
    }
    const id = this.tensors.length;
    const tensorName = name ?? `t${id}`;
    if (name !== undefined) {
      if (this.names.has(name)) throw new Error(`duplicate tensor name "${name}"`);
      if (/^t\d+$/.test(name)) throw new Error(`tensor name "${name}" is reserved`);
      this.names.add(name);
    }
    const t = new Tensor(this, id, [...shape], dtype, kind, producer, tensorName);
    this.tensors.push(t);
    return t;
  }

  /** A value fed at run time. */
  input(name: string, shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return this.newTensor(shape, dtype, 'input', null, name);
  }

  /** A named parameter: emitted as an initializer or as an input, as the exporter chooses. */
  weight(name: string, shape: readonly number[]): Tensor {
    return this.newTensor(shape, 'float32', 'weight', null, name);
  }

  /** A constant embedded in the graph. */
  constant(data: ConstantData | number, shape: readonly number[] = []): Tensor {
    const values = typeof data === 'number' ? new Float32Array([data]) : data;
    const dtype: DType =
      values instanceof Float32Array ? 'float32' : values instanceof BigInt64Array ? 'int64' : 'bool';
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`constant has ${values.length} values for shape [${shape.join(',')}]`);
    const t = this.newTensor(shape, dtype, 'constant', null);
    this.constants.set(t.id, values);
    return t;
  }

  /** An int64 constant (shapes, axes, indices). */
  ints(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), shape);
  }

  /** Appends a node; called by the op builders in ops.ts after shape inference. */
  addNode(op: string, inputs: Tensor[], attrs: Attrs, outputs: { shape: readonly number[]; dtype: DType }[]): Node {
    for (const t of inputs) if (t.graph !== this) throw new Error(`${op}: input ${t} belongs to another graph`);
    const node: Node = { id: this.nodes.length, op, inputs, outputs: [], attrs };
    node.outputs = outputs.map((o) => this.newTensor(o.shape, o.dtype, 'node', node));
    this.nodes.push(node);
    return node;
  }

  constantValue(t: Tensor): ConstantData | undefined {
    return this.constants.get(t.id);
  }

  /** One line per node: `t7:float32[2,3] = MatMul(x, w)`. */
  toString(): string {
    const lines: string[] = [];
    for (const t of this.tensors) {
      if (t.kind === 'input' || t.kind === 'weight') lines.push(`${t.kind} ${t}`);
    }
    for (const node of this.nodes) {
      const attrs = Object.entries(node.attrs)
        .map(([k, v]) => `${k}=${JSON.stringify(v.value)}`)
        .join(' ');
      const ins = node.inputs.map((t) =>
        t.kind === 'constant' && t.size === 1 ? `${t.name}=${this.constants.get(t.id)?.[0]}` : t.name,
      );
      lines.push(`${node.outputs.join(', ')} = ${node.op}(${ins.join(', ')})${attrs ? ` {${attrs}}` : ''}`);
    }
    return lines.join('\n');
  }
}
