/** Circuit graph JSON as the API stores it, plus import/export of the Neuronpedia / circuit-tracer format. */

export interface GraphNode {
  id: string;
  layer?: number | string;
  ctx_idx?: number;
  position?: number;
  feature?: number;
  activation?: number;
  influence?: number;
  clerp?: string;
  feature_type?: string;
  [key: string]: unknown;
}

export interface GraphEdge {
  source: string;
  target: string;
  weight?: number;
  [key: string]: unknown;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Group {
  id: string;
  label: string;
  nodeIds: string[];
}

export interface Annotation {
  label?: string;
  note?: string;
}

export interface Annotations {
  nodes: Record<string, Annotation>;
  edges: Record<string, Annotation>;
}

export interface Point {
  x: number;
  y: number;
}

/** What a version holds besides the graph: dragged node positions live in layout.positions. */
export interface CircuitContent {
  graph: Graph;
  layout: { positions?: Record<string, Point>; [key: string]: unknown };
  groups: Group[];
  annotations: Annotations;
}

export const edgeKey = (edge: { source: string; target: string }): string => `${edge.source}->${edge.target}`;

/** A node's signed importance: `influence` (circuit-tracer graphs) or `effect` (circuits the workbench computed). */
export function influenceOf(node: GraphNode): number | undefined {
  const value = node.influence ?? node.effect;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The row a node is drawn in, bottom up. A computed circuit has several hooks per model layer (attention, MLP,
 * residual), so its rows are its hooks in forward order with the metric on top; other graphs use their layer.
 */
export function rowOf(node: GraphNode, graph: Graph): number | undefined {
  if (graph.schema === 'workbench.circuit' && Array.isArray(graph.hooks)) {
    const hooks = graph.hooks as unknown[];
    if (node.kind === 'metric') return hooks.length;
    const row = hooks.indexOf(node.hook);
    return row >= 0 ? row : undefined;
  }
  return layerOf(node);
}

/** The submodule of a TransformerLens hook, short: "embed", "attn", "mlp", "resid" (or the hook's last part). */
export function sublayerOf(hook: string): string {
  if (hook === 'hook_embed' || hook.endsWith('hook_resid_pre')) return 'embed';
  return hook
    .split('.')
    .at(-1)!
    .replace(/^hook_/, '')
    .replace(/_(out|post)$/, '');
}

/**
 * How a node of a circuit the workbench computed reads: a name ("L3 mlp #752", "L3 mlp error", "metric") and where
 * it sits (“ window” @5: the first prompt's token at its position, short enough for a node's footer). Undefined for
 * other graphs, which bring their own (clerp, ids).
 */
export function computedNodeText(node: GraphNode, graph: Graph): { name: string; place: string } | undefined {
  if (graph.schema !== 'workbench.circuit') return undefined;
  if (node.kind === 'metric') return { name: 'metric', place: 'logit difference' };
  const what = typeof node.feature === 'number' ? `#${node.feature}` : String(node.kind ?? '');
  const name = `${node.layer === undefined || node.layer === null ? '' : `L${node.layer} `}${sublayerOf(String(node.hook ?? ''))} ${what}`;
  const position = positionOf(node);
  if (position === undefined) return { name, place: 'all positions' };
  const token = promptColumns(graph)[position]?.clean;
  return { name, place: token === undefined ? `@${position}` : `“${token}” @${position}` };
}

/** What colours a node: its submodule (or a circuit-tracer node's type) and whether it is an error node. */
export interface NodeLook {
  submodule: 'embed' | 'attn' | 'mlp' | 'resid' | 'transcoder' | 'output' | 'other';
  error: boolean;
}

export function nodeLookOf(node: GraphNode, graph: Graph): NodeLook {
  const type = String(node.feature_type ?? '');
  const error = node.kind === 'error' || /error/.test(type);
  if (node.kind === 'metric' || type === 'logit') return { submodule: 'output', error };
  if (graph.schema === 'workbench.circuit') {
    const sub = sublayerOf(String(node.hook ?? ''));
    return { submodule: sub === 'embed' || sub === 'attn' || sub === 'mlp' || sub === 'resid' ? sub : 'other', error };
  }
  if (type === 'embedding' || node.layer === 'E') return { submodule: 'embed', error };
  if (/transcoder/.test(type)) return { submodule: 'transcoder', error };
  if (/mlp/.test(type)) return { submodule: 'mlp', error };
  return { submodule: 'other', error };
}

/**
 * The name of each drawing row (see rowOf): a computed circuit's hooks ("embed", "L2 attn", ...) and "metric" on
 * top; other graphs' layers ("embed", "L3", or "logits" for a row of logit nodes).
 */
export function rowLabels(graph: Graph): Map<number, string> {
  const labels = new Map<number, string>();
  if (graph.schema === 'workbench.circuit' && Array.isArray(graph.hooks)) {
    (graph.hooks as unknown[]).forEach((hook, row) => {
      const layer = /^blocks\.(\d+)\./.exec(String(hook))?.[1];
      labels.set(row, `${layer === undefined ? '' : `L${layer} `}${sublayerOf(String(hook))}`);
    });
    labels.set(graph.hooks.length, 'metric');
    return labels;
  }
  const logitRows = new Map<number, boolean>();
  for (const node of graph.nodes) {
    const row = layerOf(node);
    if (row === undefined) continue;
    logitRows.set(row, (logitRows.get(row) ?? true) && node.feature_type === 'logit');
  }
  for (const [row, allLogits] of logitRows) labels.set(row, row === -1 ? 'embed' : allLogits ? 'logits' : `L${row}`);
  return labels;
}

/**
 * The prompt's tokens, one per position: a computed circuit's first clean prompt (with the patched prompt's token
 * where they differ, when the file has it), or an attribution graph's prompt_tokens.
 */
export function promptColumns(graph: Graph): { clean: string; patch?: string }[] {
  const strings = (value: unknown) =>
    Array.isArray(value) && value.every((t) => typeof t === 'string') ? (value as string[]) : [];
  const dataset = isRecord(graph.dataset) ? graph.dataset : {};
  const clean =
    graph.schema === 'workbench.circuit' ? strings(dataset.promptTokens) : strings(graph.metadata?.prompt_tokens);
  const patch = strings(dataset.patchTokens);
  return clean.map((token, i) =>
    patch[i] !== undefined && patch[i] !== token ? { clean: token, patch: patch[i] } : { clean: token },
  );
}

/** Numeric layer of a node: "E" (embedding) is -1, numeric strings are numbers, anything else is undefined. */
function layerOf(node: GraphNode): number | undefined {
  const layer = node.layer;
  if (typeof layer === 'number' && Number.isFinite(layer)) return layer;
  if (typeof layer === 'string') {
    if (layer === 'E') return -1;
    const parsed = Number(layer);
    if (layer.trim() !== '' && Number.isFinite(parsed)) return parsed;
  }
  return undefined;
}

/** Token position of a node: ctx_idx (circuit-tracer) or position. */
export function positionOf(node: GraphNode): number | undefined {
  const pos = node.ctx_idx ?? node.position;
  return typeof pos === 'number' && Number.isFinite(pos) ? pos : undefined;
}

export interface FeatureKey {
  modelId: string;
  saeId: string;
  featureIndex: number;
}

export const featureKeyString = (key: FeatureKey): string => `${key.modelId}|${key.saeId}|${key.featureIndex}`;

/**
 * Which SAE feature a node is: its `feature` index, with the model and SAE from the node (modelId, saeId), from a
 * circuit the server computed (model.name, and the id of the SAE at the node's hook), or from the graph's metadata
 * (modelId or scan; saeIds by layer, or saeId with "{layer}" replaced by the node's layer).
 */
export function featureKeyOf(node: GraphNode, graph: Graph): FeatureKey | null {
  const featureIndex = node.feature;
  if (typeof featureIndex !== 'number' || !Number.isInteger(featureIndex) || featureIndex < 0) return null;
  if (/error|embedding|logit/.test(String(node.feature_type ?? node.kind ?? ''))) return null;
  if (graph.schema === 'workbench.circuit') {
    const modelId = isRecord(graph.model) ? stringOr(graph.model.name) : undefined;
    const saes = Array.isArray(graph.saes) ? (graph.saes as unknown[]).filter(isRecord) : [];
    const saeId = stringOr(saes.find((sae) => sae.hook === node.hook)?.id);
    return modelId && saeId ? { modelId, saeId, featureIndex } : null;
  }
  const meta = graph.metadata ?? {};
  const modelId = stringOr(node.modelId) ?? stringOr(meta.modelId) ?? stringOr(meta.scan);
  const layer = node.layer === undefined ? '' : String(node.layer);
  const byLayer = meta.saeIds && typeof meta.saeIds === 'object' ? (meta.saeIds as Record<string, unknown>) : {};
  const saeId = stringOr(node.saeId) ?? stringOr(byLayer[layer]) ?? stringOr(meta.saeId)?.replaceAll('{layer}', layer);
  if (!modelId || !saeId) return null;
  return { modelId, saeId, featureIndex };
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The feature page of a key: /models/{model}/{sae segments...}/{index}; an SAE id's '/' become path segments. */
export function featurePath(key: FeatureKey): string {
  const sae = key.saeId.split('/').map(encodeURIComponent).join('/');
  return `/models/${encodeURIComponent(key.modelId)}/${sae}/${key.featureIndex}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads circuit JSON from a file: this app's export ({graph, layout, groups, annotations}), a bare graph
 * ({nodes:[{id}], edges:[{source,target,weight}]}), or Neuronpedia / circuit-tracer attribution-graph JSON
 * ({metadata, qParams, nodes:[{node_id, clerp, ...}], links:[...]}). Throws with a readable message otherwise.
 */
export function parseCircuitJson(json: unknown): CircuitContent & { title?: string } {
  if (!isRecord(json)) throw new Error('The file is not a JSON object');
  if (isRecord(json.graph)) {
    const inner = parseCircuitJson(json.graph);
    return {
      title: typeof json.title === 'string' ? json.title : inner.title,
      graph: inner.graph,
      layout: isRecord(json.layout) ? (json.layout as CircuitContent['layout']) : inner.layout,
      groups: Array.isArray(json.groups) ? (json.groups as Group[]) : inner.groups,
      annotations: isRecord(json.annotations) ? normalizeAnnotations(json.annotations) : inner.annotations,
    };
  }
  if (!Array.isArray(json.nodes)) throw new Error('The file has no "nodes" array');
  const rawEdges = Array.isArray(json.edges) ? json.edges : Array.isArray(json.links) ? json.links : [];
  const annotations: Annotations = { nodes: {}, edges: {} };
  const nodes: GraphNode[] = json.nodes.map((raw, index) => {
    if (!isRecord(raw)) throw new Error(`Node ${index} is not an object`);
    const id = raw.id ?? raw.node_id ?? raw.jsNodeId;
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`Node ${index} has no id or node_id`);
    const { node_id: _nodeId, ...rest } = raw;
    return { ...rest, id: String(id) } as GraphNode;
  });
  const ids = new Set(nodes.map((n) => n.id));
  const edges: GraphEdge[] = rawEdges.map((raw: unknown, index: number) => {
    if (!isRecord(raw)) throw new Error(`Edge ${index} is not an object`);
    const source = String(raw.source ?? '');
    const target = String(raw.target ?? '');
    if (!ids.has(source) || !ids.has(target))
      throw new Error(`Edge ${index} joins unknown nodes ${source} -> ${target}`);
    const weight = typeof raw.weight === 'number' ? raw.weight : undefined;
    return { ...raw, source, target, ...(weight === undefined ? {} : { weight }) } as GraphEdge;
  });
  const groups: Group[] = [];
  const qParams = isRecord(json.qParams) ? json.qParams : undefined;
  if (qParams && Array.isArray(qParams.supernodes)) {
    qParams.supernodes.forEach((entry: unknown, index: number) => {
      if (!Array.isArray(entry) || entry.length < 2) return;
      const [label, ...members] = entry.map(String);
      const nodeIds = members.filter((m) => ids.has(m));
      if (nodeIds.length) groups.push({ id: `g${index + 1}`, label: label ?? `group ${index + 1}`, nodeIds });
    });
  }
  const graph: Graph = { nodes, edges };
  if (isRecord(json.metadata)) graph.metadata = json.metadata;
  if (qParams) graph.qParams = qParams;
  const metaTitle = isRecord(json.metadata) ? (json.metadata.prompt ?? json.metadata.slug) : undefined;
  return {
    title: typeof json.title === 'string' ? json.title : typeof metaTitle === 'string' ? metaTitle : undefined,
    graph,
    layout: {},
    groups,
    annotations,
  };
}

function normalizeAnnotations(raw: unknown): Annotations {
  const value = isRecord(raw) ? raw : {};
  return {
    nodes: isRecord(value.nodes) ? (value.nodes as Record<string, Annotation>) : {},
    edges: isRecord(value.edges) ? (value.edges as Record<string, Annotation>) : {},
  };
}

export function normalizeContent(version: {
  graph: unknown;
  layout: unknown;
  groups: unknown;
  annotations: unknown;
}): CircuitContent {
  const graph = isRecord(version.graph) ? (version.graph as Graph) : { nodes: [], edges: [] };
  return {
    graph: { ...graph, nodes: graph.nodes ?? [], edges: graph.edges ?? [] },
    layout: isRecord(version.layout) ? (version.layout as CircuitContent['layout']) : {},
    groups: Array.isArray(version.groups) ? (version.groups as Group[]) : [],
    annotations: normalizeAnnotations(version.annotations),
  };
}
