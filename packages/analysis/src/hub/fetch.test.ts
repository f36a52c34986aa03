import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runModelsCli } from '../cli/models.js';
import { HubClient } from './client.js';
import { HubError } from './errors.js';
import { sha256Hex } from './hash.js';
import { listRegisteredModels, readRegistry } from './registry.js';
import { FakeHub, tinyGpt2Files, tinySaeFiles } from './testing.js';

const GPT2 = 'openai-community/gpt2';
const JB = 'jbloom/GPT2-Small-SAEs-Reformatted';
const OAI = 'jbloom/GPT2-Small-OAI-v5-32k-resid-post-SAEs';
const TOKEN = 'hf_TESTsecretTOKEN1234567890';

const model = tinyGpt2Files({ nEmbd: 8, nLayer: 2 });
// A tiny stand-in for the res-jb release: layers 0 and 1 of the resid_pre set, jb-style config (old field names).
const jb = (layer: number) =>
  tinySaeFiles({
    seed: layer + 1,
    cfg: {
      hook_name: undefined,
      hook_point: `blocks.${layer}.hook_resid_pre`,
      hook_point_layer: layer,
      architecture: undefined,
      activation_fn_str: 'relu',
    },
  });
const oai = (layer: number) =>
  tinySaeFiles({
    seed: 40 + layer,
    hook: `blocks.${layer}.hook_resid_post`,
    cfg: {
      activation_fn_str: 'topk',
      architecture: undefined,
      activation_fn_kwargs: { k: 4 },
      normalize_activations: 'layer_norm',
    },
  });

function prefixed(folder: string, files: Record<string, Uint8Array>): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(files).map(([name, content]) => [`${folder}/${name}`, content]));
}

const hub = new FakeHub();
hub.addRepo(GPT2, { ...model, 'README.md': new TextEncoder().encode('# gpt2\n') });
hub.addRepo(JB, { ...prefixed('blocks.0.hook_resid_pre', jb(0)), ...prefixed('blocks.1.hook_resid_pre', jb(1)) });
hub.addRepo(OAI, { ...prefixed('v5_32k_layer_1.pt', oai(1)) });

beforeAll(async () => {
  await hub.start();
});
afterAll(async () => {
  await hub.close();
});

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'models-'));
  hub.requests.length = 0;
  hub.requiredToken = undefined;
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runModelsCli([...args, '--cache-dir', cacheDir], {
    env: { HF_ENDPOINT: hub.url, ...env },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    bars: false,
    retryDelayMs: 5,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('models fetch', () => {
  it('downloads gpt2-small and SAEs, verifies them and registers them', async () => {
    const run = await cli(['fetch', 'gpt2-small', '--saes', 'res-jb', '--layers', '0,1']);
    expect(run.err).not.toContain('error');
    expect(run.code).toBe(0);
    const gptSha = hub.repos.get(GPT2)?.sha;
    for (const [name, content] of Object.entries(model)) {
      const local = await readFile(join(cacheDir, 'openai-community--gpt2', name));
      expect(sha256Hex(local)).toBe(sha256Hex(content));
    }
    // LFS files went through the CDN redirect; small files came from the hub itself; files were pinned to the commit.
    const weightsGet = hub.requestsFor(`${GPT2}/model.safetensors`).filter((r) => r.server === 'cdn');
    expect(weightsGet).toHaveLength(1);
    expect(hub.requestsFor(`${GPT2}/config.json`).every((r) => r.url.includes(`/resolve/${gptSha}/`))).toBe(true);
    expect(hub.requestsFor(`${GPT2}/README.md`, 'HEAD')).toHaveLength(0);

    const registry = await readRegistry(cacheDir);
    expect(registry.entries.map((e) => e.id)).toEqual([
      'gpt2-small',
      'gpt2-small-res-jb/blocks.0.hook_resid_pre',
      'gpt2-small-res-jb/blocks.1.hook_resid_pre',
    ]);
    const [m, sae0] = registry.entries;
    expect(m).toMatchObject({
      kind: 'model',
      repo: GPT2,
      revision: gptSha,
      path: 'openai-community--gpt2',
      config: { nLayers: 2, dModel: 8, nHeads: 2, vocabSize: 16, nCtx: 8, lnEps: 1e-5, bosTokenId: 50256 },
      tokenizer: 'tokenizer.json',
    });
    expect(m?.files.find((f) => f.path === 'model.safetensors')).toEqual({
      path: 'model.safetensors',
      size: model['model.safetensors']?.byteLength,
      sha256: sha256Hex(model['model.safetensors'] as Uint8Array),
    });
    expect(sae0).toMatchObject({
      kind: 'sae',
      repo: JB,
      revision: hub.repos.get(JB)?.sha,
      release: 'gpt2-small-res-jb',
      model: 'gpt2-small',
      hook: 'blocks.0.hook_resid_pre',
      d_in: 8,
      d_sae: 16,
      architecture: 'standard',
      conventions: { prependBos: true, centerResidual: true, normalize: 'none' },
    });
    expect(sae0?.files.map((f) => f.path).sort()).toEqual([
      'cfg.json',
      'sae_weights.safetensors',
      'sparsity.safetensors',
    ]);

    const listed = await listRegisteredModels(cacheDir);
    expect(listed.models.map((e) => e.absolutePath)).toEqual([join(cacheDir, 'openai-community--gpt2')]);
    expect(listed.saes).toHaveLength(2);

    // A second fetch verifies the cache and downloads nothing.
    hub.requests.length = 0;
    const again = await cli(['fetch', 'gpt2-small', '--saes', 'res-jb', '--layers', '0,1']);
    expect(again.code).toBe(0);
    expect(hub.requests.filter((r) => r.method === 'GET' && r.file)).toHaveLength(0);
    expect(again.out).toContain('0 files downloaded');

    const list = await cli(['list']);
    expect(list.out).toMatch(/model\s+gpt2-small\s+2L d8/);
    expect(list.out).toMatch(/sae\s+gpt2-small-res-jb\/blocks\.1\.hook_resid_pre\s+standard 8x16/);

    const removed = await cli(['remove', 'gpt2-small-res-jb']);
    expect(removed.out).toContain('gpt2-small-res-jb/blocks.0.hook_resid_pre');
    expect((await readRegistry(cacheDir)).entries.map((e) => e.id)).toEqual(['gpt2-small']);
    await expect(stat(join(cacheDir, 'jbloom--GPT2-Small-SAEs-Reformatted/blocks.0.hook_resid_pre'))).rejects.toThrow();
  });

  it('records the OpenAI SAEs as TopK with LayerNorm-normalised, uncentred input', async () => {
    const run = await cli(['fetch', 'gpt2-small', '--saes', 'oai-v5-32k-resid-post', '--layers', '1']);
    expect(run.code).toBe(0);
    const sae = (await readRegistry(cacheDir)).entries.find((e) => e.kind === 'sae');
    expect(sae).toMatchObject({
      id: 'gpt2-small-resid-post-v5-32k/blocks.1.hook_resid_post',
      path: `${OAI.replace('/', '--')}/v5_32k_layer_1.pt`,
      architecture: 'topk',
      k: 4,
      conventions: { prependBos: true, centerResidual: false, normalize: 'layer_norm' },
    });
  });

  it('resumes a cut download with a Range request and verifies the result', async () => {
    const file = `${GPT2}/model.safetensors`;
    hub.cutNext.add(file);
    const run = await cli(['fetch', 'gpt2-small']);
    expect(run.code).toBe(0);
    const gets = hub.requestsFor(file).filter((r) => r.server === 'cdn');
    expect(gets).toHaveLength(2);
    expect(gets[0]?.headers.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(gets[1]?.headers.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(model['model.safetensors']?.byteLength as number);
    expect(run.err).toMatch(/connection lost at \d+ of \d+ bytes/);
    const local = await readFile(join(cacheDir, 'openai-community--gpt2/model.safetensors'));
    expect(sha256Hex(local)).toBe(sha256Hex(model['model.safetensors'] as Uint8Array));
    await expect(stat(join(cacheDir, 'openai-community--gpt2/model.safetensors.part'))).rejects.toThrow();
  });

  it('resumes from a .part file left by an earlier run', async () => {
    const content = model['model.safetensors'] as Uint8Array;
    const dir = join(cacheDir, 'openai-community--gpt2');
    await cli(['fetch', 'gpt2-small']); // creates the folder; now leave a partial file as a killed run would
    await writeFile(join(dir, 'model.safetensors.part'), content.subarray(0, 100));
    await rm(join(dir, 'model.safetensors'));
    hub.requests.length = 0;
    const run = await cli(['fetch', 'gpt2-small']);
    expect(run.code).toBe(0);
    const gets = hub.requestsFor(`${GPT2}/model.safetensors`).filter((r) => r.server === 'cdn');
    expect(gets.map((r) => r.headers.range)).toEqual(['bytes=100-']);
    expect(sha256Hex(await readFile(join(dir, 'model.safetensors')))).toBe(sha256Hex(content));
  });

  it('detects a corrupted download (sha256 mismatch) and fetches it again', async () => {
    const file = `${JB}/blocks.0.hook_resid_pre/sae_weights.safetensors`;
    hub.corruptNext.add(file);
    const run = await cli(['fetch', 'gpt2-small', '--saes', 'res-jb', '--layers', '0']);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/sha256 mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}/);
    expect(hub.requestsFor(file).filter((r) => r.server === 'cdn')).toHaveLength(2);
    const local = await readFile(
      join(cacheDir, 'jbloom--GPT2-Small-SAEs-Reformatted', 'blocks.0.hook_resid_pre/sae_weights.safetensors'),
    );
    expect(sha256Hex(local)).toBe(sha256Hex(jb(0)['sae_weights.safetensors'] as Uint8Array));
  });

  it('detects a corrupted cached file and fetches only that one again', async () => {
    expect((await cli(['fetch', 'gpt2-small'])).code).toBe(0);
    const path = join(cacheDir, 'openai-community--gpt2/config.json');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"n_layer": 2', '"n_layer": 3'));
    hub.requests.length = 0;
    const run = await cli(['fetch', 'gpt2-small']);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/config\.json: the cached copy does not match the hub \(git blob sha1 mismatch/);
    expect(hub.requests.filter((r) => r.method === 'GET' && r.file).map((r) => r.file)).toEqual([
      `${GPT2}/config.json`,
    ]);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('fails on a 404 with a message naming the repo and the file', async () => {
    hub.vanished.add(`${GPT2}/merges.txt`);
    try {
      const run = await cli(['fetch', 'gpt2-small']);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/file "merges\.txt" in repository openai-community\/gpt2 .*HTTP 404 EntryNotFound/);
    } finally {
      hub.vanished.clear();
    }
    const client = new HubClient({ endpoint: hub.url });
    const error = await client.fileMetadata(GPT2, 'main', 'nope.bin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).status).toBe(404);
    expect((error as HubError).message).toContain('"nope.bin" in repository openai-community/gpt2');
    const missingRepo = await cli(['fetch', 'gpt2-small', '--saes', 'oai-v5-32k-mlp-out', '--layers', '3']);
    expect(missingRepo.code).toBe(1);
    expect(missingRepo.err).toContain(
      'repository jbloom/GPT2-Small-OAI-v5-32k-mlp-out-SAEs at revision main: HTTP 401',
    );
  });

  it('sends HF_TOKEN as a bearer token to the hub only and never prints it', async () => {
    hub.requiredToken = TOKEN;
    const run = await cli(['fetch', 'gpt2-small', '--saes', 'res-jb', '--layers', '1'], { HF_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    const hubRequests = hub.requests.filter((r) => r.server === 'hub');
    expect(hubRequests.length).toBeGreaterThan(5);
    expect(hubRequests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // The CDN URL is signed: the token must not follow the redirect there.
    const cdnRequests = hub.requests.filter((r) => r.server === 'cdn');
    expect(cdnRequests.length).toBeGreaterThan(0);
    expect(cdnRequests.some((r) => r.headers.authorization)).toBe(false);
    expect(run.out + run.err).not.toContain(TOKEN);

    // A wrong token: the error explains, names the repo, and does not echo either token.
    const wrong = `${TOKEN}-wrong`;
    const denied = await cli(['fetch', 'gpt2-small'], { HF_TOKEN: wrong });
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('repository openai-community/gpt2');
    expect(denied.err).toContain('401');
    expect(denied.err).not.toContain(TOKEN);
    // Nor may a server that echoes it back make it appear.
    const client = new HubClient({ endpoint: hub.url, token: TOKEN });
    expect(client.redact(`Bearer ${TOKEN} rejected`)).toBe('Bearer *** rejected');
  });

  it('rejects unknown models, sets and layers clearly', async () => {
    expect((await cli(['fetch', 'gpt3'])).err).toContain('unknown model "gpt3"; models fetch knows: gpt2-small');
    expect((await cli(['fetch', 'gpt2-small', '--saes', 'nope'])).err).toContain('unknown SAE set "nope"');
    expect((await cli(['fetch', 'gpt2-small', '--saes', 'res-jb', '--layers', '13'])).err).toContain(
      'SAE set res-jb has no SAE for layer 13 (layers 0-12)',
    );
    const missingFolder = await cli(['fetch', 'gpt2-small', '--saes', 'res-jb', '--layers', '5']);
    expect(missingFolder.code).toBe(1);
    expect(missingFolder.err).toContain('has no blocks.5.hook_resid_pre/cfg.json');
    expect(missingFolder.err).toContain('its SAE folders are: blocks.0.hook_resid_pre, blocks.1.hook_resid_pre');
  });
});
