import type { Graph, GraphNode } from './graph';

/**
 * What a node is: a feature of a cross-layer transcoder, a (per-layer) transcoder or an SAE, a reconstruction
 * error, an input embedding, an output logit, the metric of a circuit this app computed, or something else (a
 * type this app does not know, such as circuit-tracer's 'lorsa').
 */
export type NodeType = 'clt' | 'transcoder' | 'sae' | 'neuron' | 'error' | 'embedding' | 'logit' | 'metric' | 'other';

/** The badge a node of each type wears, what the hover card and inspector call it, and the legend's short name. */
export const NODE_TYPES: Record<NodeType, { badge: string; name: string; short: string }> = {
  clt: { badge: 'CLT', name: 'cross-layer transcoder feature', short: 'cross-layer transcoder' },
  transcoder: { badge: 'TC', name: 'transcoder feature', short: 'transcoder' },
  sae: { badge: 'SAE', name: 'SAE feature', short: 'SAE feature' },
  /** A model's own unit (the walkthrough's toy network's hidden ReLUs), not a dictionary feature. */
  neuron: { badge: 'ReLU', name: 'hidden unit (ReLU neuron)', short: 'neuron' },
  error: { badge: 'ERR', name: 'reconstruction error', short: 'error' },
  embedding: { badge: 'EMB', name: 'embedding', short: 'embedding' },
  logit: { badge: 'LOGIT', name: 'output logit', short: 'logit' },
  metric: { badge: 'METRIC', name: 'metric (logit difference)', short: 'metric' },
  other: { badge: '?', name: 'other node', short: 'other' },
};

/** The legend's order: inputs first, then features, errors, outputs. */
export const NODE_TYPE_ORDER: NodeType[] = [
  'embedding',
  'neuron',
  'sae',
  'transcoder',
  'clt',
  'error',
  'logit',
  'metric',
  'other',
];

/**
 * A node's type: from its `feature_type` in a circuit-tracer / Neuronpedia file ('cross layer transcoder',
 * 'mlp reconstruction error', 'embedding', 'logit', ...), else from the `kind` of a circuit this app computed
 * (input, feature, error, metric), else from an "E" layer (an embedding).
 */
export function nodeTypeOf(node: GraphNode, graph: Graph): NodeType {
  const type = typeof node.feature_type === 'string' ? node.feature_type.trim().toLowerCase() : '';
  if (type) {
    if (/error/.test(type)) return 'error';
    if (type === 'embedding' || type === 'embed') return 'embedding';
    if (type === 'logit' || type === 'output') return 'logit';
    if (/cross[ _-]?layer|\bclt\b/.test(type)) return 'clt';
    if (/transcoder|\bplt\b/.test(type)) return 'transcoder';
    if (/\bsae\b|sparse autoencoder|^feature$/.test(type)) return 'sae';
    if (type === 'metric') return 'metric';
    return 'other';
  }
  switch (node.kind) {
    case 'input':
      return 'embedding';
    case 'hidden':
      return 'neuron';
    case 'feature':
      return transcoderHook(graph, node.hook) ? 'transcoder' : 'sae';
    case 'error':
      return 'error';
    case 'metric':
      return 'metric';
    case 'output':
      return 'logit';
  }
  if (node.layer === 'E') return 'embedding';
  return graph.schema === 'workbench.circuit' && typeof node.feature === 'number' ? 'sae' : 'other';
}

/**
 * Whether a computed file's dictionary at this hook is a transcoder: a one-prompt attribution graph's features are
 * transcoder features at the MLP output they write (its `saes` say architecture "transcoder/<activation>").
 */
function transcoderHook(graph: Graph, hook: unknown): boolean {
  const saes = Array.isArray(graph.saes) ? (graph.saes as { hook?: unknown; architecture?: unknown }[]) : [];
  const sae = saes.find((s) => typeof s === 'object' && s !== null && s.hook === hook);
  return typeof sae?.architecture === 'string' && sae.architecture.startsWith('transcoder/');
}

/** Feature nodes: those a feature page, dashboard or label could be about. */
export const isFeatureType = (type: NodeType): boolean => type === 'clt' || type === 'transcoder' || type === 'sae';

/** What the hover card and inspector say a node is: the type's name, and the file's own words when they say more. */
export function nodeTypeText(node: GraphNode, graph: Graph): string {
  const type = nodeTypeOf(node, graph);
  const raw = typeof node.feature_type === 'string' ? node.feature_type.trim() : '';
  const name = NODE_TYPES[type].name;
  if (type === 'other') return raw ? `“${raw}” node` : name;
  const letters = (text: string) => text.toLowerCase().replace(/[^a-z]/g, '');
  return raw && !letters(name).includes(letters(raw)) ? `${name} (“${raw}”)` : name;
}

/** How many nodes of each type the graph has, in legend order (types it does not have are left out). */
export function nodeTypeCounts(graph: Graph): { type: NodeType; count: number }[] {
  const counts = new Map<NodeType, number>();
  for (const node of graph.nodes) {
    const type = nodeTypeOf(node, graph);
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return NODE_TYPE_ORDER.filter((type) => counts.has(type)).map((type) => ({ type, count: counts.get(type)! }));
}
