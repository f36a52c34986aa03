/**
 * Reverse-mode autodiff over a Graph: appends the vector-Jacobian graph of `y` (seeded with ones, or with `seed`)
 * with respect to any tensors: inputs, weights or intermediate activations. Only nodes on a path from a target to
 * `y` are differentiated; StopGradient and integer ops stop the flow. Each op's rule is its `vjp` in ops.ts.
 */
import type { Node, Tensor } from './graph.js';
import { add, expand, OPS, scalar, zerosLike } from './ops.js';

export interface GradOptions {
  /** Gradient of the output (same shape as `y`); defaults to ones. */
  seed?: Tensor;
}

/** Returns d(sum(seed * y))/d(target) for each target (a zero tensor where there is no path). */
export function grad(y: Tensor, targets: Tensor[], options: GradOptions = {}): Tensor[] {
  const graph = y.graph;
  // Tensors that depend on a target through differentiable ops.
  const live = new Set<number>(targets.map((t) => t.id));
  const lastNode = y.producer ? y.producer.id : -1;
  for (const node of graph.nodes) {
    if (node.id > lastNode) break;
    if (!OPS[node.op]?.vjp) continue;
    if (node.inputs.some((t) => live.has(t.id)))
      for (const o of node.outputs) if (o.dtype === 'float32') live.add(o.id);
  }
  const adjoint = new Map<number, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const prev = adjoint.get(t.id);
    adjoint.set(t.id, prev ? add(prev, g) : g);
  };
  const seed = options.seed ?? expand(scalar(graph, 1), y.shape);
  if (seed.shape.join() !== y.shape.join()) throw new Error(`seed shape [${seed.shape}] differs from output ${y}`);
  if (live.has(y.id)) accumulate(y, seed);

  const nodes: Node[] = graph.nodes.slice(0, lastNode + 1);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    const gouts = node.outputs.map((o) => adjoint.get(o.id) ?? null);
    if (gouts.every((g) => g === null)) continue;
    const needs = node.inputs.map((t) => live.has(t.id) && t.dtype === 'float32');
    if (!needs.some(Boolean)) continue;
    const def = OPS[node.op];
    if (!def?.vjp) continue;
    const gins = def.vjp(node, gouts, needs);
    node.inputs.forEach((t, k) => {
      const g = gins[k];
      if (g && needs[k]) {
        if (g.shape.join() !== t.shape.join()) throw new Error(`${node.op} backward gave [${g.shape}] for input ${t}`);
        accumulate(t, g);
      }
    });
  }
  return targets.map((t) => adjoint.get(t.id) ?? zerosLike(t));
}
