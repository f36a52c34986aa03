import { type FeatureKey, featureKeyOf, type Graph, type GraphNode } from './graph';
import { isFeatureType, nodeTypeOf } from './node-types';

/** A model this workbench has, its SAEs and its transcoders (the API's `models { id saes { id hook } transcoders { id } }`). */
export interface AppModel {
  id: string;
  saes: { id: string; hook: string }[];
  /** Here, but with no feature pages or dashboards yet: their features link nowhere without being "missing". */
  transcoders?: { id: string }[];
}

/** Why a one-prompt attribution graph's selection cannot be evaluated: it has no prompt pairs to ablate on. */
export const GRAPH_NO_EVALUATION =
  'A one-prompt attribution graph has no prompt pairs to ablate a selection on: its edges are exact contributions already, and the Quality panel gives its replacement and completeness scores';

/** What a transcoder feature's hover card and inspector say instead of a feature page. */
export const TRANSCODER_NO_PAGE =
  'Transcoder features have no feature pages or dashboards yet: read this one by its edges, its activation here, and your team’s label.';

/** Whether this workbench has the transcoder a node's feature key names (a one-prompt graph computed here). */
export function transcoderHere(key: FeatureKey, models: readonly AppModel[]): boolean {
  return models.some((m) => m.id === key.modelId && (m.transcoders ?? []).some((t) => t.id === key.saeId));
}

/**
 * What this workbench can do with a graph's model and features. A graph made elsewhere (another model, other
 * SAEs or transcoders) opens read-only for analysis: it can be read, laid out, labelled, discussed, reviewed and
 * voted on, but its features have no feature pages or dashboards here and nothing can run the model for it.
 */
export interface GraphSupport {
  /** The model the graph names (a computed circuit's model, else metadata.modelId or scan); undefined: none. */
  model: string | undefined;
  /** Whether this workbench has that model. */
  hasModel: boolean;
  /** What the graph's features come from, as the graph names it ("the transcoders …", "the SAEs …"). */
  featureSource: string | undefined;
  /** Feature nodes (SAE, transcoder, cross-layer transcoder features): how many, and those that cannot link. */
  featureCount: number;
  unlinked: ReadonlySet<string>;
  /** Why nothing can run the model for this graph (evaluation); null when it can. */
  noModelRuns: string | null;
  /** What the editor says on opening the graph; null when the workbench has everything it names. */
  notice: string | null;
}

/** The feature page of a node: its feature key when this workbench has the key's model and SAE, else null. */
export function linkedFeatureKey(node: GraphNode, graph: Graph, models: readonly AppModel[]): FeatureKey | null {
  const key = featureKeyOf(node, graph);
  if (!key) return null;
  const model = models.find((m) => m.id === key.modelId);
  return model?.saes.some((sae) => sae.id === key.saeId) ? key : null;
}

/**
 * The feature a node's team labels and votes are about: its feature key when the feature is here, or when its model
 * is not one this workbench serves (the API keeps labels of imported graphs' features); null for a served model's
 * SAE that is not here (the API refuses labels for it) and for nodes that are no features.
 */
export function labelFeatureKey(node: GraphNode, graph: Graph, models: readonly AppModel[]): FeatureKey | null {
  const key = featureKeyOf(node, graph);
  if (!key) return null;
  const model = models.find((m) => m.id === key.modelId);
  return !model || model.saes.some((sae) => sae.id === key.saeId) || transcoderHere(key, models) ? key : null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;
const computedCircuit = (graph: Graph) => graph.schema === 'workbench.circuit';

/** The model a graph says it was made with. */
export function graphModelName(graph: Graph): string | undefined {
  if (computedCircuit(graph)) return isRecord(graph.model) ? text(graph.model.name) : undefined;
  const meta = graph.metadata ?? {};
  return text(meta.modelId) ?? text(meta.scan) ?? graph.nodes.map((n) => text(n.modelId)).find(Boolean);
}

/** The SAE ids a computed circuit's file lists (graph.saes[].id). */
function computedSaeIds(graph: Graph): string[] {
  const saes = Array.isArray(graph.saes) ? (graph.saes as unknown[]).filter(isRecord) : [];
  return saes.map((sae) => text(sae.id)).filter((id): id is string => id !== undefined);
}

/**
 * What a graph's features come from that this workbench lacks, as the graph names it: the SAEs its feature nodes
 * are of that are not here, else its transcoder set or list.
 */
function featureSourceOf(graph: Graph, models: readonly AppModel[]): string | undefined {
  const list = (values: string[]) => [...new Set(values)].join(', ');
  if (computedCircuit(graph)) {
    const known = new Set(models.flatMap((m) => [...m.saes, ...(m.transcoders ?? [])].map((sae) => sae.id)));
    const missing = computedSaeIds(graph).filter((id) => !known.has(id));
    return missing.length ? `the SAEs ${list(missing)}` : undefined;
  }
  const missing = graph.nodes.flatMap((node) => {
    const key = isFeatureType(nodeTypeOf(node, graph)) ? featureKeyOf(node, graph) : null;
    return key && !linkedFeatureKey(node, graph, models) ? [key.saeId] : [];
  });
  if (missing.length) return `the SAEs ${list(missing)}`;
  const meta = graph.metadata ?? {};
  const info = isRecord(meta.info) ? meta.info : {};
  const transcoders = text(info.transcoder_set) ?? text(meta.transcoder_set);
  if (transcoders) return `the transcoders ${transcoders}`;
  const named = Array.isArray(meta.transcoder_list) ? meta.transcoder_list.map(text) : [];
  const transcoderList = named.filter((name): name is string => name !== undefined);
  return transcoderList.length ? `the transcoders ${list(transcoderList)}` : undefined;
}

/**
 * What this workbench has of what a graph names: the model (by id) and, for each feature node, the SAE its feature
 * page would be of (see featureKeyOf). A feature node whose model or SAE is missing, or whose graph does not say
 * which SAE it is of, cannot link to a feature page.
 */
export function graphSupport(graph: Graph, models: readonly AppModel[]): GraphSupport {
  const model = graphModelName(graph);
  const hasModel = model !== undefined && models.some((m) => m.id === model);
  const features = graph.nodes.filter((node) => isFeatureType(nodeTypeOf(node, graph)));
  // A transcoder here has no feature pages yet, but nothing is missing: its features are not counted as unlinked.
  const missing = (n: GraphNode) => {
    const key = featureKeyOf(n, graph);
    return !linkedFeatureKey(n, graph, models) && !(key && transcoderHere(key, models));
  };
  const unlinked = new Set(features.filter(missing).map((n) => n.id));
  const featureSource = featureSourceOf(graph, models);
  const missingSaes = computedCircuit(graph) && featureSource !== undefined;
  // A graph without features (and not computed here, so never evaluated) names nothing this workbench lacks.
  const supported =
    (hasModel && unlinked.size === 0 && !missingSaes) || (!computedCircuit(graph) && features.length === 0);
  const count = unlinked.size || features.length;
  const notice = supported
    ? null
    : `${missingWhat(model, hasModel, featureSource)}: you can read, label, comment, review and vote; feature pages, dashboards and evaluation are unavailable for its ${count} feature${count === 1 ? '' : 's'}.`;
  const oneGraph = computedCircuit(graph) && isRecord(graph.method) && graph.method.kind === 'graph';
  const noModelRuns = oneGraph
    ? GRAPH_NO_EVALUATION
    : supported
      ? null
      : hasModel
        ? `Evaluation needs ${featureSource ?? `the SAEs of ${model} this graph was made with`}, which this workbench does not have`
        : `Evaluation needs ${model ?? 'the model this graph was made with'}, which this workbench does not have`;
  return { model, hasModel, featureSource, featureCount: features.length, unlinked, noModelRuns, notice };
}

/** The first half of the notice: what the graph was made with that this workbench does not have. */
function missingWhat(model: string | undefined, hasModel: boolean, featureSource: string | undefined): string {
  if (model === undefined)
    return `This graph does not say which model it was made with${featureSource ? ` (its features come from ${featureSource})` : ''}`;
  if (!hasModel)
    return `This graph was made with ${model}${featureSource ? ` and ${featureSource}` : ''}, which this workbench does not have`;
  return featureSource
    ? `This graph's features come from ${featureSource}, which this workbench does not have for ${model}`
    : `This graph does not say which SAEs of ${model} its features come from`;
}
