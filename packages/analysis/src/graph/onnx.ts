/**
 * Emits a Graph as an ONNX model (IR 10, opset 20). Only what the requested outputs need is emitted. Weights go
 * in as graph inputs (fed at run time, no copy in the model) or as initializers (embedded, or as external data).
 */
import onnxProto from 'onnx-proto';
import type { Graph, Tensor } from './graph.js';
import { DTYPE_TO_ONNX, OPS } from './ops.js';

const { onnx } = onnxProto;

export interface ExternalWeight {
  /** File name relative to the model file (or the key given to onnxruntime-web's externalData). */
  location: string;
  offset: number;
  length: number;
}

export interface ExportOptions {
  /** Name -> tensor for every graph output. */
  outputs: Record<string, Tensor>;
  /** 'input': weights are graph inputs; 'initializer': `weightData` or `externalWeight` supplies them. */
  weights?: 'input' | 'initializer';
  weightData?: (name: string) => Float32Array;
  externalWeight?: (name: string) => ExternalWeight | undefined;
  name?: string;
}

export interface ExportedModel {
  bytes: Uint8Array;
  /** Graph inputs, in order, with shapes and dtypes. */
  inputs: Tensor[];
  outputNames: string[];
}

function valueInfo(name: string, t: Tensor) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: DTYPE_TO_ONNX[t.dtype], shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } },
  });
}

function rawBytes(data: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function toOnnx(graph: Graph, options: ExportOptions): ExportedModel {
  const weightsMode = options.weights ?? 'input';
  // Tensors needed by the outputs.
  const needed = new Set<number>();
  const stack = Object.values(options.outputs);
  while (stack.length) {
    const t = stack.pop()!;
    if (needed.has(t.id)) continue;
    needed.add(t.id);
    if (t.producer) stack.push(...t.producer.inputs);
  }
  const names = new Map<number, string>();
  const outputNames = Object.keys(options.outputs);
  const extraNodes: onnxProto.onnx.INodeProto[] = [];
  const usedNames = new Set(graph.tensors.filter((t) => t.kind === 'input' || t.kind === 'weight').map((t) => t.name));
  for (const [name, t] of Object.entries(options.outputs)) {
    if (t.kind === 'node' && !names.has(t.id) && !usedNames.has(name)) {
      names.set(t.id, name);
    } else {
      extraNodes.push({ opType: 'Identity', input: [t.id.toString()], output: [name], name: `out_${name}` });
    }
    usedNames.add(name);
  }
  const nameOf = (t: Tensor) => names.get(t.id) ?? (t.kind === 'node' || t.kind === 'constant' ? `t${t.id}` : t.name);
  for (const n of extraNodes) n.input = n.input!.map((id) => nameOf(graph.tensors[Number(id)]!));

  const inputs: Tensor[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  for (const t of graph.tensors) {
    if (!needed.has(t.id)) continue;
    if (t.kind === 'input' || (t.kind === 'weight' && weightsMode === 'input')) inputs.push(t);
    else if (t.kind === 'weight') {
      const external = options.externalWeight?.(t.name);
      const base = { name: t.name, dims: [...t.shape], dataType: DTYPE_TO_ONNX.float32 };
      if (external) {
        initializers.push({
          ...base,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: external.location },
            { key: 'offset', value: String(external.offset) },
            { key: 'length', value: String(external.length) },
          ],
        });
      } else {
        const data = options.weightData?.(t.name);
        if (!data) throw new Error(`no data for weight ${t.name}`);
        if (data.length !== t.size) throw new Error(`weight ${t.name}: ${data.length} values for ${t}`);
        initializers.push({ ...base, rawData: rawBytes(data) });
      }
    } else if (t.kind === 'constant') {
      const data = graph.constantValue(t)!;
      initializers.push({
        name: nameOf(t),
        dims: [...t.shape],
        dataType: DTYPE_TO_ONNX[t.dtype],
        rawData: rawBytes(data),
      });
    }
  }

  const nodes: onnxProto.onnx.INodeProto[] = [];
  for (const node of graph.nodes) {
    if (!node.outputs.some((o) => needed.has(o.id))) continue;
    const def = OPS[node.op]!;
    const attribute = Object.entries(node.attrs).map(([name, a]) => {
      switch (a.type) {
        case 'int':
          return { name, type: onnx.AttributeProto.AttributeType.INT, i: a.value };
        case 'float':
          return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: a.value };
        case 'ints':
          return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: a.value };
        default:
          return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(a.value) };
      }
    });
    const opType = def.onnx ?? node.op;
    let inputsOf = node.inputs.map(nameOf);
    // Reductions other than ReduceSum took axes as an attribute before opset 18; at opset 20 all take an input.
    if (opType.startsWith('Reduce')) {
      const axes = node.attrs.axes!.value as number[];
      const axesName = `axes_${node.id}`;
      initializers.push({
        name: axesName,
        dims: [axes.length],
        dataType: 7,
        rawData: rawBytes(BigInt64Array.from(axes.map(BigInt))),
      });
      inputsOf = [...inputsOf, axesName];
      attribute.splice(
        attribute.findIndex((a) => a.name === 'axes'),
        1,
      );
    }
    nodes.push({ opType, name: `n${node.id}`, input: inputsOf, output: node.outputs.map(nameOf), attribute });
  }
  nodes.push(...extraNodes);

  const model = onnx.ModelProto.create({
    irVersion: 10,
    opsetImport: [{ domain: '', version: 20 }],
    producerName: '@workbench/analysis',
    graph: {
      name: options.name ?? 'graph',
      node: nodes,
      initializer: initializers,
      input: inputs.map((t) => valueInfo(t.name, t)),
      output: Object.entries(options.outputs).map(([name, t]) => valueInfo(name, t)),
    },
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), inputs, outputNames };
}
