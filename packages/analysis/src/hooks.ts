/**
 * TransformerLens hook names: the one name for each activation, used from the engine to the UI.
 */
export const BLOCK_HOOKS = [
  'hook_resid_pre',
  'hook_attn_out',
  'hook_resid_mid',
  'hook_mlp_out',
  'hook_resid_post',
  'attn.hook_pattern',
  'mlp.hook_post',
] as const;

export type BlockHook = (typeof BLOCK_HOOKS)[number];

export const GLOBAL_HOOKS = ['hook_embed', 'hook_pos_embed', 'ln_final.hook_scale'] as const;

export function blockHook(layer: number, hook: BlockHook): string {
  if (!Number.isInteger(layer) || layer < 0) throw new Error(`layer must be a non-negative integer, got ${layer}`);
  return `blocks.${layer}.${hook}`;
}

/** Every hook name of a model with `nLayers` blocks, in forward order. */
export function allHookNames(nLayers: number): string[] {
  const names: string[] = ['hook_embed', 'hook_pos_embed'];
  for (let layer = 0; layer < nLayers; layer++) {
    for (const hook of BLOCK_HOOKS) names.push(blockHook(layer, hook));
  }
  names.push('ln_final.hook_scale');
  return names;
}

export interface ParsedHook {
  layer: number | null;
  hook: string;
}

/** Splits `blocks.3.hook_resid_post` into layer 3 and `hook_resid_post`; throws on an unknown name. */
export function parseHookName(name: string): ParsedHook {
  if ((GLOBAL_HOOKS as readonly string[]).includes(name)) return { layer: null, hook: name };
  const match = /^blocks\.(\d+)\.(.+)$/.exec(name);
  if (match && (BLOCK_HOOKS as readonly string[]).includes(match[2] ?? '')) {
    return { layer: Number(match[1]), hook: match[2] as string };
  }
  throw new Error(`unknown hook name "${name}"; expected e.g. blocks.0.hook_resid_post or hook_embed`);
}
