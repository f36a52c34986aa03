/**
 * Node and edge bookkeeping shared by every circuit (GPT-2 feature circuits and the toy network): stable node ids
 * that carry the hook (hence the layer), the feature (or `error`) and the position (or `*` when summed over
 * positions), the circuit hook layout (embedding, then attn_out, mlp_out and resid_post per layer) and the
 * direct-path upstream of each hook.
 */

export type CircuitNodeKind = 'feature' | 'error' | 'metric' | 'input' | 'hidden' | 'output';

export interface CircuitNode {
  /** Stable id: `${hook}:${feature | 'error'}:${position | '*'}`, or `metric`. */
  id: string;
  kind: CircuitNodeKind;
  /** TransformerLens hook (or a toy's layer name). */
  hook: string;
  /** Transformer layer (null for the embedding and the metric). */
  layer: number | null;
  /** Feature (or unit) index; null for error nodes and the metric. */
  feature: number | null;
  /** Token position; null when aggregated over positions. */
  position: number | null;
  /** Indirect effect on the metric (mean over the dataset). */
  effect: number;
  /** Mean activation on the clean inputs (features only). */
  activation?: number;
  /** A logit node's probability on the prompt (attribution graphs). */
  probability?: number;
  label?: string;
}

export interface CircuitEdge {
  source: string;
  target: string;
  weight: number;
}

export const METRIC_NODE_ID = 'metric';

export function nodeId(hook: string, feature: number | null, position: number | null): string {
  return `${hook}:${feature === null ? 'error' : feature}:${position === null ? '*' : position}`;
}

export interface ParsedNodeId {
  hook: string;
  feature: number | null;
  position: number | null;
}

/** Parses a node id; throws with the id and the expected form when it is malformed. */
export function parseNodeId(id: string): ParsedNodeId {
  const m = /^([^:]+):(error|\d+):(\*|\d+)$/.exec(id);
  if (!m) throw new Error(`malformed node id "${id}" (expected <hook>:<feature|error>:<position|*>)`);
  return {
    hook: m[1]!,
    feature: m[2] === 'error' ? null : Number(m[2]),
    position: m[3] === '*' ? null : Number(m[3]),
  };
}

export function hookLayer(hook: string): number | null {
  const m = /^blocks\.(\d+)\./.exec(hook);
  return m ? Number(m[1]) : null;
}

export type SublayerKind = 'embed' | 'attn' | 'mlp' | 'resid';

export function sublayerKind(hook: string): SublayerKind {
  if (hook === 'hook_embed' || hook === 'blocks.0.hook_resid_pre') return 'embed';
  if (hook.endsWith('.hook_attn_out')) return 'attn';
  if (hook.endsWith('.hook_mlp_out')) return 'mlp';
  if (hook.endsWith('.hook_resid_post')) return 'resid';
  throw new Error(
    `hook "${hook}" has no place in a feature circuit (use hook_embed, blocks.L.hook_attn_out, hook_mlp_out, hook_resid_post)`,
  );
}

/** Forward order of circuit hooks: embedding 0, then 3l + 1 (attn), 3l + 2 (mlp), 3l + 3 (resid). */
export function sublayerIndex(hook: string): number {
  const kind = sublayerKind(hook);
  if (kind === 'embed') return 0;
  const l = hookLayer(hook)!;
  return 3 * l + (kind === 'attn' ? 1 : kind === 'mlp' ? 2 : 3);
}

export interface CircuitLayout {
  nLayers: number;
  /** The embedding SAE's hook (hook_embed or blocks.0.hook_resid_pre), if any. */
  embed: string | null;
  /** Every SAE hook in forward order. */
  hooks: string[];
}

/** Checks that the SAE hooks form a circuit layout: every layer's attn_out, mlp_out and resid_post. */
export function circuitLayout(hooks: readonly string[], nLayers: number): CircuitLayout {
  const set = new Set(hooks);
  if (set.size !== hooks.length) throw new Error('two SAEs read the same hook');
  const embeds = hooks.filter((h) => sublayerKind(h) === 'embed');
  if (embeds.length > 1) throw new Error(`two embedding SAEs (${embeds.join(', ')}); keep one`);
  const missing: string[] = [];
  for (let l = 0; l < nLayers; l++) {
    for (const k of ['hook_attn_out', 'hook_mlp_out', 'hook_resid_post']) {
      if (!set.has(`blocks.${l}.${k}`)) missing.push(`blocks.${l}.${k}`);
    }
  }
  if (missing.length) {
    throw new Error(
      `feature circuits need an SAE at attn_out, mlp_out and resid_post of every layer; missing: ${missing.join(', ')}`,
    );
  }
  for (const h of hooks) {
    const l = hookLayer(h);
    if (l !== null && l >= nLayers && sublayerKind(h) !== 'embed')
      throw new Error(`SAE hook ${h}: the model has ${nLayers} layers`);
  }
  return { nLayers, embed: embeds[0] ?? null, hooks: [...hooks].sort((a, b) => sublayerIndex(a) - sublayerIndex(b)) };
}

/**
 * Upstream hooks of a hook along direct paths (Marks et al.): resid_l <- mlp_l, attn_l, resid_{l-1};
 * mlp_l <- attn_l, resid_{l-1}; attn_l <- resid_{l-1}; resid_{-1} is the embedding.
 */
export function upstreamHooks(layout: CircuitLayout, hook: string): string[] {
  const kind = sublayerKind(hook);
  if (kind === 'embed') return [];
  const l = hookLayer(hook)!;
  const prev = l > 0 ? `blocks.${l - 1}.hook_resid_post` : layout.embed;
  const attn = `blocks.${l}.hook_attn_out`;
  const mlp = `blocks.${l}.hook_mlp_out`;
  const list = kind === 'resid' ? [mlp, attn, prev] : kind === 'mlp' ? [attn, prev] : [prev];
  return list.filter((h): h is string => h !== null);
}
