import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { readSafetensorsHeader, type SafetensorsHeader } from '../io/safetensors.js';
import { type GPT2Config, gpt2WeightShapes, parseGPT2Config } from '../model/config.js';
import { type SaeConfig as EngineSaeConfig, finetuningScalingFactor, parseSaeConfig } from '../sae/config.js';
import { readSaeConfigJson } from '../sae/sae.js';
import { HubError, ShapeError } from './errors.js';
import { digestFile, type FileDigest } from './hash.js';
import {
  type Gpt2Config,
  gpt2ConfigSchema,
  type ModelEntry,
  type RegistryFile,
  type SaeConfig,
  type SaeConventions,
  type SaeEntry,
  saeConfigSchema,
} from './schemas.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function readJson<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ShapeError(`${path}: missing (${what})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ShapeError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ShapeError(`${path}: not a ${what}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

async function readHeader(path: string): Promise<SafetensorsHeader> {
  if (!(await exists(path))) throw new ShapeError(`${path}: missing`);
  try {
    return await readSafetensorsHeader(path);
  } catch (error) {
    throw new ShapeError((error as Error).message);
  }
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Checks one tensor's presence and shape, collecting a message naming file, tensor and both shapes. */
function expectTensor(
  header: SafetensorsHeader,
  file: string,
  name: string,
  shape: number[],
  why: string,
  problems: string[],
): void {
  const info = header.tensors[name];
  if (!info) {
    problems.push(`${file}: no tensor "${name}" (expected shape ${fmt(shape)}, ${why})`);
    return;
  }
  if (!['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) {
    problems.push(`${file}: tensor "${name}" has dtype ${info.dtype}; expected a float type`);
  }
  if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
    problems.push(`${file}: tensor "${name}" has shape ${fmt(info.shape)}, expected ${fmt(shape)} (${why})`);
  }
}

function fail(problems: string[]): void {
  if (problems.length === 1) throw new ShapeError(problems[0] as string);
  if (problems.length > 1) {
    throw new ShapeError(`${problems.length} problems:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
}

async function recordFiles(
  folder: string,
  names: string[],
  known: ReadonlyMap<string, FileDigest> | undefined,
): Promise<RegistryFile[]> {
  const files: RegistryFile[] = [];
  for (const name of names) {
    const digest = known?.get(name) ?? (await digestFile(join(folder, name)));
    files.push({ path: name, size: digest.size, sha256: digest.sha256 });
  }
  return files;
}

export type InspectedModel = Pick<ModelEntry, 'architecture' | 'config' | 'tokenizer' | 'files'> & {
  /** config.json's _name_or_path, when it has one. */
  nameOrPath: string | null;
};

/** Why a GPT-2 weight has its shape, in config.json's terms, for the error naming a wrong one. */
function shapeReason(name: string): string {
  const reasons: [RegExp, string][] = [
    [/^wte\./, 'vocab_size x n_embd'],
    [/^wpe\./, 'n_positions x n_embd'],
    [/attn\.c_attn\.weight$/, 'Conv1D n_embd x 3*n_embd'],
    [/attn\.c_attn\.bias$/, '3*n_embd'],
    [/attn\.c_proj\.weight$/, 'n_embd x n_embd'],
    [/mlp\.c_fc\.weight$/, 'n_embd x n_inner'],
    [/mlp\.c_fc\.bias$/, 'n_inner'],
    [/mlp\.c_proj\.weight$/, 'n_inner x n_embd'],
  ];
  return reasons.find(([pattern]) => pattern.test(name))?.[1] ?? 'n_embd';
}

/**
 * Checks a Hugging Face GPT-2-family folder (config.json, model.safetensors, tokenizer) from the safetensors header
 * alone, and hashes its files (or takes the digests the download already computed).
 */
export async function inspectModelFolder(
  folder: string,
  known?: ReadonlyMap<string, FileDigest>,
): Promise<InspectedModel> {
  const configPath = join(folder, 'config.json');
  const json: Gpt2Config = await readJson(configPath, gpt2ConfigSchema, 'GPT-2 config.json');
  if (json.model_type !== 'gpt2') {
    throw new ShapeError(`${configPath}: model_type is "${json.model_type}"; only GPT-2-family (gpt2) is supported`);
  }
  // The engine's own reading of config.json (and its refusals: activation function, n_inner, cross-attention, ...),
  // before anything is registered, so what is registered is what the engine will run.
  let config: GPT2Config;
  try {
    config = parseGPT2Config(json);
  } catch (error) {
    throw new ShapeError(`${configPath}: ${(error as Error).message.replace(/^config\.json: /, '')}`);
  }
  const weightsPath = join(folder, 'model.safetensors');
  const header = await readHeader(weightsPath);
  // save_pretrained of GPT2LMHeadModel prefixes "transformer."; openai-community/gpt2 does not.
  const prefix = header.tensors['wte.weight'] || !header.tensors['transformer.wte.weight'] ? '' : 'transformer.';
  const problems: string[] = [];
  for (const [name, shape] of gpt2WeightShapes(config)) {
    // An untied head is a top-level tensor in GPT2LMHeadModel's state dict (no "transformer." prefix).
    if (name === 'lm_head.weight')
      expectTensor(header, weightsPath, name, shape, 'tie_word_embeddings: false', problems);
    else expectTensor(header, weightsPath, prefix + name, shape, shapeReason(name), problems);
  }
  const extraLayer = Object.keys(header.tensors).find((name) => name.startsWith(`${prefix}h.${config.nLayers}.`));
  if (extraLayer)
    problems.push(`${weightsPath}: tensor "${extraLayer}" is beyond n_layer ${config.nLayers} of config.json`);
  fail(problems);

  let tokenizer: InspectedModel['tokenizer'];
  const names = ['config.json', 'model.safetensors'];
  if (await exists(join(folder, 'tokenizer.json'))) {
    tokenizer = 'tokenizer.json';
    names.push('tokenizer.json');
  } else if ((await exists(join(folder, 'vocab.json'))) && (await exists(join(folder, 'merges.txt')))) {
    tokenizer = 'vocab.json+merges.txt';
  } else {
    throw new ShapeError(`${folder}: no tokenizer (tokenizer.json, or vocab.json and merges.txt)`);
  }
  for (const extra of ['vocab.json', 'merges.txt']) if (await exists(join(folder, extra))) names.push(extra);
  const nameOrPath = typeof json._name_or_path === 'string' && json._name_or_path ? json._name_or_path : null;
  return {
    architecture: 'gpt2',
    config,
    tokenizer,
    files: await recordFiles(folder, names, known),
    nameOrPath,
  };
}

/** The activation preparation an SAE expects, from its config (see README: conventions). */
export function saeConventions(cfg: SaeConfig): SaeConventions {
  const normalize = cfg.normalize_activations || 'none';
  // LayerNorm-normalised inputs subtract the mean anyway, so centring changes nothing for them. Otherwise SAELens
  // trained on TransformerLens activations, whose from_pretrained centres writing weights unless told not to.
  const explicit = cfg.model_from_pretrained_kwargs?.center_writing_weights;
  const centerResidual = explicit ?? normalize !== 'layer_norm';
  return { prependBos: cfg.prepend_bos ?? true, centerResidual, normalize };
}

/** The width the model's activation at a hook has, or null for hooks this check does not know. */
export function hookWidth(hook: string, model: ModelEntry): number | null {
  const block = /^blocks\.(\d+)\.(.+)$/.exec(hook);
  const site = block ? block[2] : hook;
  if (block && Number(block[1]) >= model.config.nLayers) {
    throw new ShapeError(`hook ${hook} is beyond the ${model.config.nLayers} blocks of model "${model.id}"`);
  }
  switch (site) {
    case 'hook_resid_pre':
    case 'hook_resid_mid':
    case 'hook_resid_post':
    case 'hook_attn_out':
    case 'hook_mlp_out':
    case 'hook_embed':
    case 'hook_pos_embed':
      return model.config.dModel;
    case 'attn.hook_z':
      return model.config.dModel; // n_head x d_head, flattened
    case 'ln1.hook_normalized':
    case 'ln2.hook_normalized':
      return model.config.dModel;
    case 'mlp.hook_post':
    case 'mlp.hook_pre':
      return 4 * model.config.dModel; // n_inner other than 4 x n_embd is refused by parseGPT2Config
    default:
      return null;
  }
}

export type InspectedSae = Pick<
  SaeEntry,
  | 'hook'
  | 'd_in'
  | 'd_sae'
  | 'architecture'
  | 'k'
  | 'applyBDecToInput'
  | 'conventions'
  | 'modelName'
  | 'files'
  | 'transcoder'
>;

/** cfg.json (+ cfg.overrides.json) checked against the schema; a missing file is a ShapeError naming it. */
async function readSaeCfg(folder: string): Promise<{ cfg: SaeConfig; cfgPath: string }> {
  const cfgPath = join(folder, 'cfg.json');
  if (!(await exists(cfgPath))) throw new ShapeError(`${cfgPath}: missing (SAELens cfg.json)`);
  let read: Awaited<ReturnType<typeof readSaeConfigJson>>;
  try {
    read = await readSaeConfigJson(folder);
  } catch (error) {
    throw new ShapeError((error as Error).message);
  }
  const parsed = saeConfigSchema.safeParse(read.json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ShapeError(`${read.source}: not a SAELens cfg.json: ${problems.join('; ')}`);
  }
  return { cfg: parsed.data, cfgPath: read.source };
}

/** Width checks of the hooks a config reads (d_in) and, for a transcoder, predicts (d_out) against the model. */
function checkHookWidths(cfgPath: string, config: EngineSaeConfig, model: ModelEntry, problems: string[]): void {
  const sides: [string, number, string][] = [[config.hookName, config.dIn, 'd_in']];
  if (config.transcoder) sides.push([config.transcoder.hookName, config.transcoder.dOut, 'd_out']);
  for (const [hook, width, field] of sides) {
    const expected = hookWidth(hook, model);
    if (expected !== null && expected !== width) {
      problems.push(
        `${cfgPath}: ${field} is ${width} but model "${model.id}" has width ${expected} at ${hook} (n_embd ${model.config.dModel} in its config.json)`,
      );
    }
  }
}

/**
 * Checks a SAELens folder (cfg.json + sae_weights.safetensors) from the safetensors header alone: the tensors'
 * shapes against d_in and d_sae, and d_in against the model's width at the hook when a model is given.
 */
export async function inspectSaeFolder(
  folder: string,
  options: {
    /** The model to check d_in against, or a function picking it from cfg.model_name. */
    model?: ModelEntry | ((modelName: string | undefined) => ModelEntry | undefined);
    known?: ReadonlyMap<string, FileDigest>;
  } = {},
): Promise<InspectedSae & { model: ModelEntry | undefined }> {
  const { cfg, cfgPath } = await readSaeCfg(folder);
  const model = typeof options.model === 'function' ? options.model(cfg.model_name) : options.model;
  const hook = cfg.hook_name ?? cfg.hook_point ?? (cfg.metadata as { hook_name?: string } | undefined)?.hook_name;
  if (!hook) throw new ShapeError(`${cfgPath}: no hook_name (or hook_point) saying where the SAE reads`);
  // The engine's own reading and refusals (per-head SAEs, hook_z reshaping, other activation functions, ...).
  let config: EngineSaeConfig;
  let scaled: boolean;
  try {
    config = parseSaeConfig(cfg, cfgPath);
    scaled = finetuningScalingFactor(cfg, cfgPath);
  } catch (error) {
    throw new ShapeError((error as Error).message);
  }
  const problems: string[] = [];
  if (model) checkHookWidths(cfgPath, config, model, problems);
  const weightsPath = join(folder, 'sae_weights.safetensors');
  const header = await readHeader(weightsPath);
  const { dIn: d_in, dSae: d_sae } = config;
  const dOut = config.transcoder?.dOut ?? d_in;
  const out = config.transcoder ? 'd_out' : 'd_in';
  expectTensor(header, weightsPath, 'W_enc', [d_in, d_sae], 'd_in x d_sae from cfg.json', problems);
  expectTensor(header, weightsPath, 'b_enc', [d_sae], 'd_sae from cfg.json', problems);
  expectTensor(header, weightsPath, 'W_dec', [d_sae, dOut], `d_sae x ${out} from cfg.json`, problems);
  expectTensor(header, weightsPath, 'b_dec', [dOut], `${out} from cfg.json`, problems);
  if (config.transcoder?.skip)
    expectTensor(header, weightsPath, 'W_skip', [dOut, d_in], 'd_out x d_in, the skip connection', problems);
  if (config.architecture === 'jumprelu' && !header.tensors.log_threshold) {
    expectTensor(header, weightsPath, 'threshold', [d_sae], 'd_sae, JumpReLU threshold', problems);
  }
  if (scaled && !header.tensors.scaling_factor) {
    expectTensor(header, weightsPath, 'finetuning_scaling_factor', [d_sae], 'finetuning_scaling_factor', problems);
  }
  fail(problems);
  const names = ['cfg.json', 'sae_weights.safetensors'];
  for (const extra of ['sparsity.safetensors', 'cfg.overrides.json'])
    if (await exists(join(folder, extra))) names.push(extra);
  return {
    hook,
    d_in,
    d_sae,
    architecture: config.architecture,
    k: config.k,
    applyBDecToInput: config.applyBDecToInput,
    conventions: saeConventions(cfg),
    modelName: cfg.model_name ?? null,
    files: await recordFiles(folder, names, options.known),
    transcoder: config.transcoder
      ? { hookOut: config.transcoder.hookName, dOut: config.transcoder.dOut, skip: config.transcoder.skip }
      : null,
    model,
  };
}

/** Tells a model folder from an SAE folder by its config file. */
export async function detectFolderKind(folder: string): Promise<'model' | 'sae'> {
  if (await exists(join(folder, 'cfg.json'))) return 'sae';
  if (await exists(join(folder, 'config.json'))) return 'model';
  throw new HubError(
    `${folder}: neither a GPT-2 checkpoint (config.json + model.safetensors) nor a SAELens SAE (cfg.json + sae_weights.safetensors)`,
  );
}
