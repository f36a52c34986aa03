/**
 * A pruned attribution graph as our circuit file (and so, through circuits/neuronpedia.ts, as circuit-tracer's /
 * Neuronpedia's graph JSON). Nodes keep the circuit ids: a transcoder feature or error node is
 * `blocks.L.hook_mlp_out:<feature|error>:<position>` (the hook it writes), a token `hook_embed:<token id>:<position>`,
 * a logit `logits:<token id>:<last position>`; the exchange format's layer of a node is its transcoder layer, as
 * circuit-tracer writes it. Edges go source -> target with the direct effect as weight.
 */
import { CIRCUIT_SCHEMA, CIRCUIT_SCHEMA_VERSION, type CircuitFile, parseCircuitFile } from '../circuits/format.js';
import { type CircuitEdge, type CircuitNode, nodeId } from '../circuits/nodes.js';
import { type AttributionGraph, nodeLayout } from './attribution.js';
import type { GraphScores, PruneResult } from './prune.js';

export interface GraphFileMeta {
  modelName: string;
  modelSource?: string;
  /** The prompt as text, and each token as text (labels of the token and logit nodes). */
  prompt: string;
  tokenText: (id: number) => string;
  /** By layer: where each transcoder was read from, and the workbench's ids of them (feature pages and labels). */
  transcoders: { layer: number; dSae: number; architecture: string; source?: string; id?: string }[];
  nodeThreshold: number;
  edgeThreshold: number;
  maxFeatureNodes: number;
  centerResid?: boolean;
}

export const mlpOutHook = (layer: number) => `blocks.${layer}.hook_mlp_out`;

/** The circuit file of a graph pruned by `pruned` (nodes and edges its masks keep) with the graph's scores. */
export function graphToCircuit(
  graph: AttributionGraph,
  pruned: PruneResult,
  scores: GraphScores,
  meta: GraphFileMeta,
): CircuitFile {
  const layout = nodeLayout(graph);
  const T = graph.tokens.length;
  const L = graph.config.nLayers;
  const ids: string[] = new Array(layout.n);
  const nodes: CircuitNode[] = [];
  const keep = (i: number, node: CircuitNode) => {
    ids[i] = node.id;
    if (pruned.nodeMask[i]) nodes.push(node);
  };
  const effect = (i: number) => pruned.nodeInfluence[i]!;
  graph.features.forEach((f, i) => {
    const hook = mlpOutHook(f.layer);
    keep(i, {
      id: nodeId(hook, f.feature, f.position),
      kind: 'feature',
      hook,
      layer: f.layer,
      feature: f.feature,
      position: f.position,
      effect: effect(i),
      activation: f.activation,
    });
  });
  for (let l = 0; l < L; l++)
    for (let t = 0; t < T; t++) {
      const i = layout.error(l, t);
      const hook = mlpOutHook(l);
      keep(i, {
        id: nodeId(hook, null, t),
        kind: 'error',
        hook,
        layer: l,
        feature: null,
        position: t,
        effect: effect(i),
      });
    }
  graph.tokens.forEach((token, t) => {
    const i = layout.token(t);
    keep(i, {
      id: nodeId('hook_embed', token, t),
      kind: 'input',
      hook: 'hook_embed',
      layer: null,
      feature: token,
      position: t,
      effect: effect(i),
      label: meta.tokenText(token),
    });
  });
  graph.logits.forEach((logit, k) => {
    // A logit's weight in every influence is its probability: its "effect" on the targets.
    keep(layout.logit(k), {
      id: nodeId('logits', logit.token, T - 1),
      kind: 'output',
      hook: 'logits',
      layer: null,
      feature: logit.token,
      position: T - 1,
      effect: logit.probability,
      probability: logit.probability,
      label: meta.tokenText(logit.token),
    });
  });
  const edges: CircuitEdge[] = [];
  const n = layout.n;
  for (let target = 0; target < n; target++)
    for (let source = 0; source < n; source++)
      if (pruned.edgeMask[target * n + source])
        edges.push({ source: ids[source]!, target: ids[target]!, weight: graph.adjacency[target * n + source]! });
  const file: CircuitFile = {
    schema: CIRCUIT_SCHEMA,
    version: CIRCUIT_SCHEMA_VERSION,
    created: new Date().toISOString(),
    model: {
      name: meta.modelName,
      ...(meta.modelSource ? { source: meta.modelSource } : {}),
      nLayers: L,
      dModel: graph.config.dModel,
      vocabSize: graph.config.vocabSize,
    },
    saes: meta.transcoders.map((t) => ({
      hook: mlpOutHook(t.layer),
      dSae: t.dSae,
      architecture: `transcoder/${t.architecture}`,
      ...(t.source ? { source: t.source } : {}),
      ...(t.id ? { id: t.id } : {}),
    })),
    hooks: Array.from({ length: L }, (_, l) => mlpOutHook(l)),
    dataset: {
      name: meta.prompt,
      pairs: 0,
      prompt: meta.prompt,
      promptTokens: graph.tokens.map(meta.tokenText),
    },
    method: {
      kind: 'graph',
      steps: 1,
      aggregation: 'position',
      nodeThreshold: meta.nodeThreshold,
      edgeThreshold: meta.edgeThreshold,
      maxNodes: meta.maxFeatureNodes,
      metric: { kind: 'logits', tokens: graph.logits.map((l) => l.token) },
      ...(meta.centerResid !== undefined ? { centerResid: meta.centerResid } : {}),
    },
    nodes,
    edges,
    metrics: {
      nodes: nodes.length,
      edges: edges.length,
      totalNodes: graph.activeFeatures + L * T + T + graph.logits.length,
      cleanMetric: null,
      patchMetric: null,
      faithfulness: null,
      completeness: null,
      replacementScore: Number.isFinite(scores.replacement) ? scores.replacement : null,
      completenessScore: Number.isFinite(scores.completeness) ? scores.completeness : null,
      timings: graph.timings,
    },
  };
  return parseCircuitFile(file, 'graphToCircuit');
}
