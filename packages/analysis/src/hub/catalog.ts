/** The models and published SAE and transcoder sets `models fetch` knows how to download. */
export interface KnownModel {
  id: string;
  repo: string;
  /** Files listed statically (the hub's listing is still used to check they exist and for the commit). */
  files: string[];
  /** Names SAE configs use for it (cfg.model_name). */
  aliases: string[];
}

export const KNOWN_MODELS: Record<string, KnownModel> = {
  'gpt2-small': {
    id: 'gpt2-small',
    repo: 'openai-community/gpt2',
    files: ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.json', 'merges.txt'],
    aliases: ['gpt2', 'gpt2-small', 'openai-community/gpt2'],
  },
};

export interface KnownSae {
  /** Registry id: `{release}/{hook}`. */
  id: string;
  hook: string;
  /** The number `--layers` selects it by. */
  layer: number;
  /** Folder in the repo holding cfg.json and sae_weights.safetensors. */
  folder: string;
}

export interface KnownSaeSet {
  /** Short name for --saes. */
  name: string;
  /** SAELens release name. */
  release: string;
  repo: string;
  model: string;
  description: string;
  saes: KnownSae[];
  /** Files fetched when the repo lists them. */
  optionalFiles: string[];
  /** 'transcoder': each entry reads `hook` and predicts another hook (default 'sae'). */
  kind?: 'sae' | 'transcoder';
  /**
   * cfg.json fields to replace (SAELens `config_overrides`), written as cfg.overrides.json beside the download, for
   * releases whose cfg.json says less than is known about them.
   */
  configOverrides?: (sae: KnownSae) => Record<string, unknown>;
}

const layers = Array.from({ length: 12 }, (_, i) => i);

function oai(site: 'resid-post' | 'attn-out' | 'mlp-out'): KnownSaeSet {
  const hook = { 'resid-post': 'hook_resid_post', 'attn-out': 'hook_attn_out', 'mlp-out': 'hook_mlp_out' }[site];
  const release = `gpt2-small-${site}-v5-32k`;
  return {
    name: `oai-v5-32k-${site}`,
    release,
    repo: `jbloom/GPT2-Small-OAI-v5-32k-${site}-SAEs`,
    model: 'gpt2-small',
    description: `OpenAI v5 TopK(32) SAEs, 32768 features, on blocks.0-11.${hook} (LayerNorm-normalised input)`,
    // The resid-post repo's folders keep the ".pt" of OpenAI's original file names; attn-out and mlp-out do not.
    saes: layers.map((layer) => ({
      id: `${release}/blocks.${layer}.${hook}`,
      hook: `blocks.${layer}.${hook}`,
      layer,
      folder: site === 'resid-post' ? `v5_32k_layer_${layer}.pt` : `v5_32k_layer_${layer}`,
    })),
    optionalFiles: ['sparsity.safetensors'],
  };
}

/**
 * GPT-2 small MLP transcoders (Dunefsky, Chlenski and Nanda 2024: ReLU, 24576 features, trained on TransformerLens
 * gpt2-small) as ARENA publishes them for SAELens (`SAE.from_pretrained("callummcdougall/arena-demos-transcoder",
 * "gpt2-small-layer-{L}-mlp-transcoder-folded-b_dec_out")`, layers 0-8). SAELens's pretrained_saes.yaml, in the
 * versions read for this catalog, lists no GPT-2 small transcoder release. Their cfg.json describes a "standard"
 * SAE on blocks.L.ln2.hook_normalized (d_in 768, apply_b_dec_to_input true): the output bias is folded so that this
 * SAE's decode is the transcoder's prediction of blocks.L.hook_mlp_out (d_out = d_in), which the overrides say.
 */
function arenaTranscoders(): KnownSaeSet {
  const release = 'callummcdougall/arena-demos-transcoder';
  return {
    name: 'arena-transcoders',
    release,
    repo: release,
    model: 'gpt2-small',
    kind: 'transcoder',
    description:
      'MLP transcoders of Dunefsky et al. (ReLU, 24576 features) as ARENA publishes them: blocks.0-8.ln2.hook_normalized -> blocks.L.hook_mlp_out',
    saes: Array.from({ length: 9 }, (_, layer) => ({
      id: `arena-demos-transcoder/blocks.${layer}.ln2.hook_normalized`,
      hook: `blocks.${layer}.ln2.hook_normalized`,
      layer,
      folder: `gpt2-small-layer-${layer}-mlp-transcoder-folded-b_dec_out`,
    })),
    optionalFiles: [],
    configOverrides: (sae) => ({
      is_transcoder: true,
      out_hook_point: `blocks.${sae.layer}.hook_mlp_out`,
      out_hook_point_layer: sae.layer,
    }),
  };
}

export const KNOWN_SAE_SETS: Record<string, KnownSaeSet> = {
  'res-jb': {
    name: 'res-jb',
    release: 'gpt2-small-res-jb',
    repo: 'jbloom/GPT2-Small-SAEs-Reformatted',
    model: 'gpt2-small',
    description:
      "Joseph Bloom's ReLU SAEs, 24576 features, on blocks.0-11.hook_resid_pre and blocks.11.hook_resid_post (layer 12)",
    saes: [
      ...layers.map((layer) => ({
        id: `gpt2-small-res-jb/blocks.${layer}.hook_resid_pre`,
        hook: `blocks.${layer}.hook_resid_pre`,
        layer,
        folder: `blocks.${layer}.hook_resid_pre`,
      })),
      // SAELens numbers this one 12: the residual stream after the last block
      {
        id: 'gpt2-small-res-jb/blocks.11.hook_resid_post',
        hook: 'blocks.11.hook_resid_post',
        layer: 12,
        folder: 'blocks.11.hook_resid_post',
      },
    ],
    optionalFiles: ['sparsity.safetensors'],
  },
  'oai-v5-32k-resid-post': oai('resid-post'),
  'oai-v5-32k-attn-out': oai('attn-out'),
  'oai-v5-32k-mlp-out': oai('mlp-out'),
  'arena-transcoders': arenaTranscoders(),
};
