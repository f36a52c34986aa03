/**
 * Import and export of the attribution-graph JSON of Neuronpedia and circuit-tracer
 * (bundled in neuronpedia-schema.ts, a copy of shared/data/neuronpedia/graph-schema.json). Our exports follow
 * today's circuit-tracer: feature `{layer}_{index}_{ctx}` (with `feature` the Cantor pairing of layer and index,
 * as circuit-tracer writes it), error `{layer}_-1_{ctx}` with `feature: -1`, embedding `E_{token}_{ctx}` (with
 * `feature` the position), logit `{n_layers+1}_{token}_{ctx}` with `token_prob` and `is_target_logit`. Our circuit
 * hooks become the exchange layers 0..n-1 in forward order (n = the number of hooks, so logits sit at n + 1); the
 * metric becomes the target logit node. `metadata.workbench` keeps what the format has no place for (hooks, our
 * node ids, the metric), so our own exports round-trip exactly; graphs from elsewhere import too, older files
 * (error ids `0_{layer}_{ctx}`, layers from 1) included.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type CircuitFile, parseCircuitFile } from './format.js';
import { NEURONPEDIA_GRAPH_SCHEMA } from './neuronpedia-schema.js';
import { type CircuitNode, METRIC_NODE_ID, nodeId, parseNodeId } from './nodes.js';

export interface NeuronpediaNode {
  node_id: string;
  feature: number | null;
  layer: string | number;
  ctx_idx: number;
  feature_type: string;
  jsNodeId: string;
  clerp: string;
  influence?: number | null;
  activation?: number | null;
  [key: string]: unknown;
}

export interface NeuronpediaGraph {
  metadata: {
    slug: string;
    scan: string;
    prompt_tokens: string[];
    prompt: string;
    [key: string]: unknown;
  };
  qParams: { pinnedIds?: string[]; supernodes?: unknown[]; linkType?: string; [key: string]: unknown };
  nodes: NeuronpediaNode[];
  links: { source: string; target: string; weight: number }[];
  [key: string]: unknown;
}

let validator: ValidateFunction | null = null;

/** The validator (ajv, draft-07) for Neuronpedia's graph schema (bundled), or for another schema given. */
export function neuronpediaValidator(schema: Record<string, unknown> = NEURONPEDIA_GRAPH_SCHEMA): ValidateFunction {
  if (validator && schema === NEURONPEDIA_GRAPH_SCHEMA) return validator;
  // The schema uses 2020-12's prefixItems inside draft-07; strict mode would reject that keyword.
  const ajv = new Ajv({ allErrors: true, strict: false });
  const v = ajv.compile(schema);
  if (schema === NEURONPEDIA_GRAPH_SCHEMA) validator = v;
  return v;
}

/** Human-readable schema errors, each with its JSON pointer. */
export function formatSchemaErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    const extra =
      e.keyword === 'required'
        ? ` (missing "${(e.params as { missingProperty: string }).missingProperty}")`
        : e.keyword === 'type'
          ? ` (got ${JSON.stringify(valueAt(e))})`
          : '';
    return `${where}: ${e.message}${extra}`;
  });
}

function valueAt(e: ErrorObject): string {
  return e.data === undefined
    ? 'undefined'
    : typeof e.data === 'object'
      ? Array.isArray(e.data)
        ? 'array'
        : 'object'
      : String(e.data);
}

/** Throws with every schema violation (JSON pointer + message) when `graph` does not validate. */
export function validateNeuronpediaGraph(graph: unknown, source = 'graph'): asserts graph is NeuronpediaGraph {
  const v = neuronpediaValidator();
  if (v(graph)) return;
  const lines = formatSchemaErrors(v.errors).slice(0, 20);
  throw new Error(`${source}: not a valid attribution graph (Neuronpedia graph schema):\n  ${lines.join('\n  ')}`);
}

interface WorkbenchMeta {
  hooks: string[];
  ids: Record<string, string>;
  circuit: Omit<CircuitFile, 'nodes' | 'edges' | 'supernodes'>;
  nodes: Record<string, Pick<CircuitNode, 'kind' | 'hook' | 'layer' | 'effect'>>;
}

export interface NeuronpediaExportOptions {
  slug?: string;
  /** Neuronpedia model id (default: the circuit's model name). */
  scan?: string;
  /** Token strings of the metric's answer token (for the logit node's label). */
  answerLabel?: string;
}

/** Exports a circuit as an attribution graph; the result validates against the Neuronpedia schema. */
export function toNeuronpedia(circuit: CircuitFile, options: NeuronpediaExportOptions = {}): NeuronpediaGraph {
  const hooks = circuit.hooks;
  const layerOf = new Map(hooks.map((h, i) => [h, i]));
  const logitLayer = hooks.length + 1;
  const tokens = circuit.dataset.promptTokens ?? [];
  const lastCtx = Math.max(0, tokens.length - 1);
  const metricVocab = circuit.method.metric.kind === 'tokens' ? circuit.method.metric.answer : 0;
  // circuit-tracer marks its most probable logit as the target.
  const outputs = circuit.nodes.filter((n) => n.kind === 'output' && n.probability !== undefined);
  const topOutput = outputs.reduce<CircuitNode | null>((a, n) => (!a || n.probability! > a.probability! ? n : a), null);
  const ids: Record<string, string> = {};
  const taken = new Set<string>();
  const meta: WorkbenchMeta['nodes'] = {};
  const nodes: NeuronpediaNode[] = circuit.nodes.map((n) => {
    const ctx = n.position ?? (n.kind === 'metric' ? lastCtx : 0);
    let layer: string;
    let id: string;
    let jsNodeId: string;
    let feature: number;
    let type: string;
    const logit = n.kind === 'metric' || n.kind === 'output';
    if (logit) {
      const vocab = n.kind === 'metric' ? metricVocab : (n.feature ?? 0);
      layer = String(logitLayer);
      feature = vocab;
      id = `${logitLayer}_${vocab}_${ctx}`;
      jsNodeId = `L_${vocab}-${ctx}`;
      type = 'logit';
    } else if (n.kind === 'input' && !layerOf.has(n.hook)) {
      const token = n.feature ?? 0;
      layer = 'E';
      feature = ctx;
      id = `E_${token}_${ctx}`;
      jsNodeId = `E_${token}-${ctx}`;
      type = 'embedding';
    } else {
      const l = layerOf.get(n.hook);
      if (l === undefined) throw new Error(`node "${n.id}": hook ${n.hook} is not among the circuit's hooks`);
      layer = String(l);
      if (n.feature === null) {
        feature = -1;
        id = `${l}_-1_${ctx}`;
        jsNodeId = `${l}_-1-${ctx}`;
        type = 'mlp reconstruction error';
      } else {
        feature = cantorPair(l, n.feature);
        id = `${l}_${n.feature}_${ctx}`;
        jsNodeId = `${l}_${n.feature}-0`;
        type = 'cross layer transcoder';
      }
    }
    if (taken.has(id)) throw new Error(`node "${n.id}": exchange id ${id} is already taken`);
    taken.add(id);
    ids[n.id] = id;
    meta[id] = { kind: n.kind, hook: n.hook, layer: n.layer, effect: n.effect };
    return {
      node_id: id,
      feature,
      layer,
      ctx_idx: ctx,
      feature_type: type,
      // 0 where there is no probability, as circuit-tracer writes for nodes other than logits.
      token_prob: n.probability ?? 0,
      is_target_logit: n.kind === 'metric' || n === topOutput,
      jsNodeId,
      clerp: n.label ?? (n.kind === 'metric' ? (options.answerLabel ?? 'metric') : ''),
      influence: n.effect,
      activation: n.activation ?? null,
    };
  });
  const { nodes: _n, edges: _e, supernodes, ...rest } = circuit;
  const graph: NeuronpediaGraph = {
    metadata: {
      slug: options.slug ?? `${circuit.dataset.name}-${circuit.method.kind}`.replace(/[^a-zA-Z0-9-]+/g, '-'),
      scan: options.scan ?? circuit.model.name,
      prompt_tokens: tokens,
      prompt: tokens.join(''),
      schema_version: 1,
      info: {
        description:
          circuit.method.kind === 'graph'
            ? `Attribution graph (transcoders) of the prompt "${circuit.dataset.prompt ?? tokens.join('')}"`
            : `Sparse feature circuit (${circuit.method.kind}, ${circuit.method.aggregation}) on ${circuit.dataset.name} (${circuit.dataset.pairs} prompt pairs)`,
        generator: { name: 'circuit-workbench', version: String(circuit.version) },
        create_time_ms: Date.parse(circuit.created) || Date.now(),
      },
      pruning_settings: { node_threshold: circuit.method.nodeThreshold, edge_threshold: circuit.method.edgeThreshold },
      workbench: { hooks, ids, circuit: rest, nodes: meta } satisfies WorkbenchMeta,
    },
    qParams: {
      pinnedIds: [],
      supernodes: (supernodes ?? []).map(([label, ...members]) => [label, ...members.map((m) => ids[m] ?? m)]),
      linkType: 'both',
    },
    nodes,
    links: circuit.edges.map((e) => ({ source: ids[e.source]!, target: ids[e.target]!, weight: e.weight })),
  };
  validateNeuronpediaGraph(graph, 'toNeuronpedia');
  return graph;
}

/**
 * Imports an attribution graph (anything the schema allows): validated first, with errors that say what is wrong
 * and where. Our own exports come back as they were; other graphs get hooks `layer_<n>` and node ids in our form.
 */
export function fromNeuronpedia(value: unknown, source = 'graph'): CircuitFile {
  validateNeuronpediaGraph(value, source);
  const g = value;
  const wb = g.metadata.workbench as WorkbenchMeta | undefined;
  const known = new Set<string>();
  const back = new Map<string, string>();
  if (wb) for (const [ours, theirs] of Object.entries(wb.ids)) back.set(theirs, ours);
  const nodes: CircuitNode[] = g.nodes.map((n, i) => {
    const ctx = n.ctx_idx;
    const layerNum = Number(n.layer);
    const m = wb?.nodes[n.node_id];
    const ours = back.get(n.node_id);
    let node: CircuitNode;
    if (m && ours) {
      // our id has the feature (the exchange `feature` of a transcoder node is a pairing, of an embedding the position)
      const hookLayerFeature = m.kind === 'metric' || m.kind === 'error' ? null : parseNodeId(ours).feature;
      node = {
        id: ours,
        kind: m.kind,
        hook: m.hook,
        layer: m.layer,
        feature: hookLayerFeature,
        position: ours === METRIC_NODE_ID ? (wb?.circuit.method.aggregation === 'sum' ? null : ctx) : positionOf(ours),
        effect: m.effect,
      };
    } else if (n.feature_type === 'embedding' || n.layer === 'E') {
      node = mk('input', 'embed_tokens', null, tokenOf(n.node_id) ?? n.feature ?? 0, ctx, n);
    } else if (n.feature_type === 'logit') {
      node = mk('output', 'logits', null, n.feature ?? middleOf(n.node_id) ?? 0, ctx, n);
    } else if (/error/i.test(n.feature_type) || n.feature === null || (n.feature ?? 0) < 0) {
      if (!Number.isFinite(layerNum))
        throw new Error(`${source}: /nodes/${i}/layer: "${n.layer}" is not a layer number`);
      node = mk('error', `layer_${layerNum}`, layerNum, null, ctx, n);
    } else {
      if (!Number.isFinite(layerNum))
        throw new Error(`${source}: /nodes/${i}/layer: "${n.layer}" is not a layer number`);
      // circuit-tracer's `feature` is a flat index (the Cantor pairing of layer and index); the id has the index
      const index = middleOf(n.node_id, layerNum, ctx) ?? n.feature;
      node = mk('feature', `layer_${layerNum}`, layerNum, index, ctx, n);
    }
    if (n.clerp && !(node.kind === 'metric' && n.clerp === 'metric')) node.label = n.clerp;
    if (typeof n.activation === 'number') node.activation = n.activation;
    if (node.kind === 'output' && typeof n.token_prob === 'number') node.probability = n.token_prob;
    if (known.has(node.id)) throw new Error(`${source}: /nodes/${i}/node_id: two nodes map to "${node.id}"`);
    known.add(node.id);
    back.set(n.node_id, node.id);
    return node;
  });
  const edges = g.links.map((l, i) => {
    const s = back.get(l.source);
    const t = back.get(l.target);
    if (!s) throw new Error(`${source}: /links/${i}/source: unknown node "${l.source}"`);
    if (!t) throw new Error(`${source}: /links/${i}/target: unknown node "${l.target}"`);
    return { source: s, target: t, weight: l.weight };
  });
  const supernodes = (g.qParams.supernodes ?? [])
    .filter((s): s is string[] => Array.isArray(s) && s.every((x) => typeof x === 'string') && s.length > 0)
    .map(([label, ...members]) => [label!, ...members.map((m) => back.get(m) ?? m)]);
  const layers = [...new Set(nodes.filter((n) => n.layer !== null && n.kind !== 'metric').map((n) => n.hook))];
  const base: Omit<CircuitFile, 'nodes' | 'edges' | 'supernodes'> = wb?.circuit ?? {
    schema: 'workbench.circuit',
    version: 1,
    created: new Date(
      typeof g.metadata.info === 'object' && g.metadata.info && 'create_time_ms' in g.metadata.info
        ? Number((g.metadata.info as { create_time_ms: number }).create_time_ms)
        : Date.now(),
    ).toISOString(),
    model: { name: g.metadata.scan, nLayers: Math.max(1, layers.length), dModel: 1, vocabSize: 1 },
    saes: [],
    hooks: layers.sort((a, b) => Number(a.slice(6)) - Number(b.slice(6))),
    dataset: { name: g.metadata.slug, pairs: 0, promptTokens: g.metadata.prompt_tokens, prompt: g.metadata.prompt },
    // A graph from elsewhere is circuit-tracer's kind: one prompt, its top logits as targets.
    method: {
      kind: 'graph',
      steps: 1,
      aggregation: 'position',
      nodeThreshold: pruningSetting(g, 'node_threshold'),
      edgeThreshold: pruningSetting(g, 'edge_threshold'),
      maxNodes: null,
      metric: { kind: 'logits', tokens: nodes.filter((n) => n.kind === 'output').map((n) => n.feature ?? 0) },
    },
    metrics: {
      nodes: nodes.length,
      edges: edges.length,
      totalNodes: nodes.length,
      cleanMetric: null,
      patchMetric: null,
      faithfulness: null,
      completeness: null,
    },
  };
  return parseCircuitFile({ ...base, nodes, edges, ...(supernodes.length ? { supernodes } : {}) }, source);
}

/** A number of the graph's metadata.pruning_settings (circuit-tracer writes node_threshold and edge_threshold), or 0. */
function pruningSetting(g: NeuronpediaGraph, key: string): number {
  const settings = g.metadata.pruning_settings as Record<string, unknown> | undefined;
  const v = settings?.[key] ?? g.metadata[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function mk(
  kind: CircuitNode['kind'],
  hook: string,
  layer: number | null,
  feature: number | null,
  ctx: number,
  n: NeuronpediaNode,
): CircuitNode {
  return {
    id: nodeId(hook, feature, ctx),
    kind,
    hook,
    layer,
    feature,
    position: ctx,
    effect: typeof n.influence === 'number' ? n.influence : 0,
  };
}

function positionOf(id: string): number | null {
  const m = /:(\*|\d+)$/.exec(id);
  return !m || m[1] === '*' ? null : Number(m[1]);
}

/** The token of an embedding id `E_{token}_{ctx}`, or undefined for other ids. */
function tokenOf(nodeIdText: string): number | undefined {
  const m = /^E_(\d+)_\d+$/.exec(nodeIdText);
  return m ? Number(m[1]) : undefined;
}

/** The middle number of an id `{layer}_{n}_{ctx}` (when layer and ctx, if given, match), or undefined. */
function middleOf(nodeIdText: string, layer?: number, ctx?: number): number | undefined {
  const m = /^(\d+)_(\d+)_(\d+)$/.exec(nodeIdText);
  if (!m || (layer !== undefined && Number(m[1]) !== layer) || (ctx !== undefined && Number(m[3]) !== ctx))
    return undefined;
  return Number(m[2]);
}

/** Cantor's pairing of two non-negative integers: circuit-tracer's `feature` of a transcoder node. */
export function cantorPair(x: number, y: number): number {
  return ((x + y) * (x + y + 1)) / 2 + y;
}
