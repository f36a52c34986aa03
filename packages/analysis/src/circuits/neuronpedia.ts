/**
 * Import and export of the attribution-graph JSON of Neuronpedia and circuit-tracer
 * (bundled in neuronpedia-schema.ts, a copy of shared/data/neuronpedia/graph-schema.json). Node ids: feature `{layer}_{feature}_{ctx}`, error
 * `0_{layer}_{ctx}`, embedding `E_{token}_{ctx}`, logit `{n_layers+1}_{vocab}_{ctx}`. Our circuit hooks become
 * the exchange layers 1..n in forward order (layer 0 holds no features, so error ids never collide with feature
 * ids); the metric becomes a logit node. `metadata.workbench` keeps what the format has no place for (hooks,
 * our node ids, the metric), so our own exports round-trip exactly; graphs from elsewhere import too.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type CircuitFile, parseCircuitFile } from './format.js';
import { NEURONPEDIA_GRAPH_SCHEMA } from './neuronpedia-schema.js';
import { type CircuitNode, METRIC_NODE_ID, nodeId } from './nodes.js';

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
  const layerOf = new Map(hooks.map((h, i) => [h, i + 1]));
  const logitLayer = hooks.length + 1;
  const tokens = circuit.dataset.promptTokens ?? [];
  const lastCtx = Math.max(0, tokens.length - 1);
  const metricVocab =
    circuit.method.metric.kind === 'tokens'
      ? circuit.method.metric.answer
      : circuit.method.metric.kind === 'pair'
        ? 0
        : 0;
  const ids: Record<string, string> = {};
  const meta: WorkbenchMeta['nodes'] = {};
  const nodes: NeuronpediaNode[] = circuit.nodes.map((n) => {
    const ctx = n.position ?? (n.kind === 'metric' ? lastCtx : 0);
    let layer: number;
    let id: string;
    let feature: number | null;
    let type: string;
    if (n.kind === 'metric' || n.kind === 'output') {
      layer = logitLayer;
      feature = n.kind === 'metric' ? metricVocab : (n.feature ?? 0);
      id = `${layer}_${feature}_${ctx}`;
      type = 'logit';
    } else if (n.kind === 'input' && !layerOf.has(n.hook)) {
      layer = 0;
      feature = n.feature ?? 0;
      id = `E_${feature}_${ctx}`;
      type = 'embedding';
    } else {
      const l = layerOf.get(n.hook);
      if (l === undefined) throw new Error(`node "${n.id}": hook ${n.hook} is not among the circuit's hooks`);
      layer = l;
      if (n.feature === null) {
        feature = null;
        id = `0_${layer}_${ctx}`;
        type = 'mlp reconstruction error';
      } else {
        feature = n.feature;
        id = `${layer}_${feature}_${ctx}`;
        type = 'cross layer transcoder';
      }
    }
    if (Object.values(ids).includes(id)) throw new Error(`node "${n.id}": exchange id ${id} is already taken`);
    ids[n.id] = id;
    meta[id] = { kind: n.kind, hook: n.hook, layer: n.layer, effect: n.effect };
    const [a, b] = id.split(/_(?=[^_]*$)/) as [string, string];
    return {
      node_id: id,
      feature,
      layer: type === 'embedding' ? 'E' : String(layer),
      ctx_idx: ctx,
      feature_type: type,
      jsNodeId: `${a}-${b}`,
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
        description: `Sparse feature circuit (${circuit.method.kind}, ${circuit.method.aggregation}) on ${circuit.dataset.name} (${circuit.dataset.pairs} prompt pairs)`,
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
      const hookLayerFeature = m.kind === 'metric' ? null : m.kind === 'error' ? null : (n.feature ?? null);
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
      node = mk('input', 'embed_tokens', null, n.feature ?? tokenOf(n.node_id), ctx, n);
    } else if (n.feature_type === 'logit') {
      node = mk('output', 'logits', null, n.feature ?? 0, ctx, n);
    } else if (/error/i.test(n.feature_type) || n.feature === null || (n.feature ?? 0) < 0) {
      if (!Number.isFinite(layerNum))
        throw new Error(`${source}: /nodes/${i}/layer: "${n.layer}" is not a layer number`);
      node = mk('error', `layer_${layerNum}`, layerNum, null, ctx, n);
    } else {
      if (!Number.isFinite(layerNum))
        throw new Error(`${source}: /nodes/${i}/layer: "${n.layer}" is not a layer number`);
      node = mk('feature', `layer_${layerNum}`, layerNum, n.feature, ctx, n);
    }
    if (n.clerp && !(node.kind === 'metric' && n.clerp === 'metric')) node.label = n.clerp;
    if (typeof n.activation === 'number') node.activation = n.activation;
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
    dataset: { name: g.metadata.slug, pairs: 0, promptTokens: g.metadata.prompt_tokens },
    method: {
      kind: 'atp',
      steps: 1,
      aggregation: 'position',
      nodeThreshold: 0,
      edgeThreshold: 0,
      maxNodes: null,
      metric: { kind: 'pair' },
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

function tokenOf(nodeIdText: string): number {
  const m = /^E_(-?\d+)_/.exec(nodeIdText);
  return m ? Math.max(0, Number(m[1])) : 0;
}
