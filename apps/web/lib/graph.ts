/** Circuit graph JSON as the API stores it, plus import/export of the Neuronpedia / circuit-tracer format. */

import { nodeTypeOf } from './node-types';

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
 * residual), so its rows are its hooks in forward order with the metric (or a toy network's outputs) on top and a
 * toy network's inputs below; other graphs use their layer.
 */
export function rowOf(node: GraphNode, graph: Graph): number | undefined {
  if (graph.schema === 'workbench.circuit' && Array.isArray(graph.hooks)) {
    const hooks = graph.hooks as unknown[];
    if (node.kind === 'metric' || node.kind === 'output') return hooks.length;
    const row = hooks.indexOf(node.hook);
    if (row < 0 && node.kind === 'input') return -1;
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
  // A one-prompt graph's logits and token embeddings: by their token's text, not its vocabulary id.
  if (typeof node.label === 'string' && node.hook === 'logits')
    return {
      name: `logit “${node.label}”`,
      place: typeof node.probability === 'number' ? `p = ${node.probability.toFixed(2)}` : 'last position',
    };
  if (typeof node.label === 'string' && node.hook === 'hook_embed')
    return { name: `embed “${node.label}”`, place: `@${positionOf(node) ?? '?'}` };
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
    const outputs = graph.nodes.some((n) => n.kind === 'output');
    labels.set(graph.hooks.length, outputs ? 'outputs' : 'metric');
    if (graph.nodes.some((n) => rowOf(n, graph) === -1)) labels.set(-1, 'inputs');
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
  // An attribution graph (Neuronpedia / circuit-tracer) has links; the app's bare graphs have edges.
  const exchange = Array.isArray(json.links) && !Array.isArray(json.edges);
  const rawEdges = Array.isArray(json.edges) ? json.edges : exchange ? (json.links as unknown[]) : [];
  const annotations: Annotations = { nodes: {}, edges: {} };
  const seen = new Map<string, number>();
  const nodes: GraphNode[] = json.nodes.map((raw, index) => {
    if (!isRecord(raw)) throw new Error(`Node ${index} is not an object`);
    const id = raw.id ?? raw.node_id ?? raw.jsNodeId;
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`Node ${index} has no id or node_id`);
    const name = String(id);
    if (exchange) checkExchangeNode(raw, index, name);
    const first = seen.get(name);
    if (first !== undefined) throw new Error(`Node ${index} ("${name}") has the same id as node ${first}`);
    seen.set(name, index);
    // node_id becomes the id (and comes back on export); a node that has both keeps both.
    if (raw.id === undefined && raw.node_id !== undefined) {
      const { node_id: _nodeId, ...rest } = raw;
      return { ...rest, id: name } as GraphNode;
    }
    return { ...raw, id: name } as GraphNode;
  });
  const edges: GraphEdge[] = rawEdges.map((raw: unknown, index: number) => {
    const what = exchange ? 'Link' : 'Edge';
    if (!isRecord(raw)) throw new Error(`${what} ${index} is not an object`);
    const source = String(raw.source ?? '');
    const target = String(raw.target ?? '');
    const missing = [source, target].filter((end) => !seen.has(end));
    if (missing.length)
      throw new Error(
        `${what} ${index} (${source} -> ${target}) joins ${missing.map((end) => `"${end}"`).join(' and ')}, which ${missing.length > 1 ? 'are not nodes' : 'is not a node'}`,
      );
    if (exchange && typeof raw.weight !== 'number')
      throw new Error(
        `${what} ${index} (${source} -> ${target}): weight must be a number (got ${JSON.stringify(raw.weight)})`,
      );
    const weight = typeof raw.weight === 'number' ? raw.weight : undefined;
    return { ...raw, source, target, ...(weight === undefined ? {} : { weight }) } as GraphEdge;
  });
  const qParams = isRecord(json.qParams) ? json.qParams : undefined;
  const groups = groupsFromSupernodes(qParams?.supernodes, seen);
  // Everything else at the top (metadata, qParams, fields this app does not know) is kept for the export.
  const { nodes: _nodes, edges: _edges, links: _links, ...other } = json;
  const graph: Graph = { ...other, nodes, edges };
  const metaTitle = isRecord(json.metadata) ? (json.metadata.prompt ?? json.metadata.slug) : undefined;
  return {
    title: typeof json.title === 'string' ? json.title : typeof metaTitle === 'string' ? metaTitle : undefined,
    graph,
    layout: {},
    groups,
    annotations,
  };
}

/** The types the attribution-graph schema gives a node's fields, checked where a field is present. */
function checkExchangeNode(raw: Record<string, unknown>, index: number, name: string): void {
  const integer = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
  const rules: [string, (v: unknown) => boolean, string][] = [
    ['node_id', (v) => typeof v === 'string', 'a string'],
    ['feature', (v) => v === null || integer(v), 'an integer or null'],
    ['layer', (v) => typeof v === 'string' || integer(v), 'a string or an integer'],
    ['ctx_idx', integer, 'an integer'],
    ['feature_type', (v) => typeof v === 'string', 'a string'],
    ['jsNodeId', (v) => typeof v === 'string', 'a string'],
    ['clerp', (v) => typeof v === 'string', 'a string'],
    ['influence', (v) => v === null || typeof v === 'number', 'a number or null'],
    ['activation', (v) => v === null || typeof v === 'number', 'a number or null'],
  ];
  for (const [key, ok, expected] of rules)
    if (key in raw && !ok(raw[key]))
      throw new Error(`Node ${index} ("${name}"): ${key} must be ${expected} (got ${JSON.stringify(raw[key])})`);
}

/** Supernodes (qParams.supernodes: [label, ...node ids]) as groups g1, g2, ... of the nodes the graph has. */
function groupsFromSupernodes(supernodes: unknown, ids: { has(id: string): boolean }): Group[] {
  const groups: Group[] = [];
  if (!Array.isArray(supernodes)) return groups;
  supernodes.forEach((entry: unknown, index: number) => {
    if (!Array.isArray(entry) || entry.length < 2) return;
    const [label, ...members] = entry.map(String);
    const nodeIds = members.filter((m) => ids.has(m));
    if (nodeIds.length) groups.push({ id: `g${index + 1}`, label: label ?? `group ${index + 1}`, nodeIds });
  });
  return groups;
}

/** What the attribution-graph export reads: the editor's document (its graph, groups, annotations, pins, hides). */
export interface ExchangeInput {
  graph: Graph;
  groups: Group[];
  annotations: Annotations;
  pinned?: Record<string, true>;
  hidden?: Record<string, true>;
}

/**
 * The circuit as Neuronpedia / circuit-tracer attribution-graph JSON ({metadata, qParams, nodes, links}), for the
 * editor's "Neuronpedia / circuit-tracer JSON" export. A graph that was imported from that format comes back as it
 * came (node ids, links, metadata, qParams and every field, known or not), changed only where the editor changed it:
 * a node's label becomes its `clerp`, groups become `qParams.supernodes` (a supernode whose group is unchanged is
 * written as it was read), `qParams.pinnedIds` are the editor's pins (unpinned ones leave, new ones follow), hidden nodes leave with their links, pins and
 * supernode memberships. Other graphs (computed circuits, bare graphs) get the fields the schema requires from what
 * they have. Notes on nodes and edges have no place in the format and stay in the app's own export.
 */
export function toAttributionGraph(input: ExchangeInput): Record<string, unknown> {
  const { graph, annotations } = input;
  const hidden = input.hidden ?? {};
  const { nodes: _nodes, edges: _edges, metadata, qParams, ...other } = graph;
  const kept = graph.nodes.filter((n) => !hidden[n.id]);
  const keptIds = new Set(kept.map((n) => n.id));
  const target = targetLogitOf(kept);
  const nodes = kept.map((node) => {
    const { id, ...rest } = node;
    const out: Record<string, unknown> = 'node_id' in rest ? { id, ...rest } : { node_id: id, ...rest };
    const label = annotations.nodes[id]?.label;
    if (label !== undefined) out.clerp = label;
    // Only what the schema requires and the node lacks is filled in (a graph not read from this format).
    if (!('feature' in out) || !(out.feature === null || Number.isInteger(out.feature)))
      out.feature = Number.isInteger(node.feature) ? node.feature : null;
    if (!('layer' in out) || !(typeof out.layer === 'string' || Number.isInteger(out.layer)))
      out.layer = String(rowOf(node, graph) ?? 0);
    if (!Number.isInteger(out.ctx_idx)) out.ctx_idx = positionOf(node) ?? 0;
    if (typeof out.feature_type !== 'string') out.feature_type = featureTypeOf(node, graph);
    // A one-prompt graph's logits: their probabilities, and the most probable one as the target (circuit-tracer's).
    if (typeof node.probability === 'number' && typeof out.token_prob !== 'number') {
      out.token_prob = node.probability;
      out.is_target_logit = node === target;
    }
    if (typeof out.jsNodeId !== 'string') out.jsNodeId = id;
    if (typeof out.clerp !== 'string') out.clerp = '';
    return out;
  });
  const links = graph.edges
    .filter((e) => keptIds.has(e.source) && keptIds.has(e.target))
    .map((e) => ({ ...e, weight: typeof e.weight === 'number' ? e.weight : 0 }));
  const meta: Record<string, unknown> = isRecord(metadata) ? { ...metadata } : {};
  const tokens = promptColumns(graph).map((c) => c.clean);
  if (typeof meta.slug !== 'string') meta.slug = stringOr((other.dataset as { name?: unknown })?.name) ?? 'graph';
  if (typeof meta.scan !== 'string') meta.scan = stringOr((other.model as { name?: unknown })?.name) ?? '';
  if (!Array.isArray(meta.prompt_tokens)) meta.prompt_tokens = tokens;
  if (typeof meta.prompt !== 'string') meta.prompt = (meta.prompt_tokens as unknown[]).join('');
  const q: Record<string, unknown> = isRecord(qParams) ? { ...qParams } : {};
  const allIds = new Set(graph.nodes.map((n) => n.id));
  const pinnedIds = pinnedIdsOf(q.pinnedIds, input.pinned, keptIds);
  if (pinnedIds) q.pinnedIds = pinnedIds;
  const supernodes = supernodesOf(q.supernodes, input.groups, keptIds, allIds);
  if (supernodes) q.supernodes = supernodes;
  if (typeof q.clickedId === 'string' && hidden[q.clickedId]) q.clickedId = '';
  return { metadata: meta, qParams: q, nodes, links, ...other };
}

function featureTypeOf(node: GraphNode, graph: Graph): string {
  if (node.kind === 'metric' || node.kind === 'output') return 'logit';
  if (node.kind === 'input') return 'embedding';
  if (node.kind === 'error') return isTranscoderGraph(graph) ? 'mlp reconstruction error' : 'reconstruction error';
  if (nodeTypeOf(node, graph) === 'transcoder') return 'per layer transcoder';
  return typeof node.kind === 'string' ? node.kind : 'feature';
}

/** A one-prompt attribution graph computed here (its features are transcoder features at the MLP outputs). */
const isTranscoderGraph = (graph: Graph) => isRecord(graph.method) && graph.method.kind === 'graph';

/** The most probable of a graph's logit nodes that have a probability (a one-prompt graph's), if any. */
function targetLogitOf(nodes: GraphNode[]): GraphNode | undefined {
  const withProbability = nodes.filter((n) => typeof n.probability === 'number');
  return withProbability.reduce<GraphNode | undefined>(
    (best, n) => (!best || (n.probability as number) > (best.probability as number) ? n : best),
    undefined,
  );
}

/**
 * The stored pinnedIds less nodes hidden, gone or (with the editor's pins given) unpinned, then the editor's pins not
 * among them; undefined when there were none and are none. Entries that are not strings stay as they were.
 */
function pinnedIdsOf(
  stored: unknown,
  pinned: Record<string, true> | undefined,
  keptIds: Set<string>,
): unknown[] | undefined {
  const before = Array.isArray(stored)
    ? stored.filter((id) => typeof id !== 'string' || (keptIds.has(id) && (!pinned || pinned[id])))
    : undefined;
  const added = Object.keys(pinned ?? {}).filter((id) => keptIds.has(id) && !before?.includes(id));
  if (!before && !added.length) return undefined;
  return [...(before ?? []), ...added];
}

/** The nodes an attribution graph pins (qParams.pinnedIds): they open pinned in the editor. */
export function pinnedIdsInGraph(graph: Graph): string[] {
  const stored = isRecord(graph.qParams) ? graph.qParams.pinnedIds : undefined;
  if (!Array.isArray(stored)) return [];
  const ids = new Set(graph.nodes.map((n) => n.id));
  return stored.filter((id): id is string => typeof id === 'string' && ids.has(id));
}

/**
 * A graph of the attribution-graph format (one with qParams) with the editor's pins as its qParams.pinnedIds, so a
 * saved version keeps them; other graphs have no place for pins and come back as they are.
 */
export function withPinnedIds(graph: Graph, pinned: Record<string, true>): Graph {
  if (!isRecord(graph.qParams)) return graph;
  const pinnedIds = pinnedIdsOf(graph.qParams.pinnedIds, pinned, new Set(graph.nodes.map((n) => n.id)));
  return pinnedIds ? { ...graph, qParams: { ...graph.qParams, pinnedIds } } : graph;
}

/**
 * qParams.supernodes from the editor's groups: each stored entry whose group is unchanged stays as it was (less
 * hidden members), a changed one is rewritten, a removed one leaves; entries that never became groups stay; new
 * groups follow. Undefined when there were none and are none.
 */
function supernodesOf(
  stored: unknown,
  groups: Group[],
  keptIds: Set<string>,
  allIds: Set<string>,
): unknown[] | undefined {
  const entries = Array.isArray(stored) ? stored : [];
  const fromFile = new Map(groupsFromSupernodes(entries, keptIds).map((g) => [g.id, g]));
  const fromFileAll = new Map(groupsFromSupernodes(entries, allIds).map((g) => [g.id, g]));
  const current = new Map(groups.map((g) => [g.id, g]));
  const entryOf = (g: Group) => [g.label, ...g.nodeIds.filter((id) => keptIds.has(id))];
  const out: unknown[] = [];
  entries.forEach((entry, index) => {
    const id = `g${index + 1}`;
    const read = fromFileAll.get(id);
    if (!read) {
      out.push(entry); // never a group here (no member in this graph, or not [label, ...ids])
      return;
    }
    const group = current.get(id);
    if (!group) return; // ungrouped in the editor
    const same =
      group.label === read.label &&
      sameIds(
        group.nodeIds.filter((m) => keptIds.has(m)),
        fromFile.get(id)?.nodeIds ?? [],
      );
    const members = same ? (entry as unknown[]).slice(1).filter((m) => typeof m !== 'string' || keptIds.has(m)) : [];
    if (same && members.length) out.push([(entry as unknown[])[0], ...members]);
    else if (!same && entryOf(group).length > 1) out.push(entryOf(group));
  });
  const storedIds = new Set(entries.map((_, index) => `g${index + 1}`));
  for (const group of groups) if (!storedIds.has(group.id) && entryOf(group).length > 1) out.push(entryOf(group));
  if (!Array.isArray(stored) && !out.length) return undefined;
  return out;
}

function sameIds(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
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
