#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { addLocalFolder } from '../hub/add.js';
import { KNOWN_MODELS, KNOWN_SAE_SETS } from '../hub/catalog.js';
import { HubClient, hubOptionsFromEnv, type ProgressSink } from '../hub/client.js';
import { HubError, redact } from '../hub/errors.js';
import { fetchModels } from '../hub/fetch.js';
import { listRegisteredModels, registryPath, removeEntries, resolveCacheDir } from '../hub/registry.js';

const USAGE = `Usage: models <command> [options]

  models fetch gpt2-small [--saes res-jb,oai-v5-32k-resid-post] [--layers 6,8] [--hooks blocks.6.hook_resid_pre]
                          [--revision main]
      Download a model (and published SAEs or transcoders) from the Hugging Face hub, verify sizes and hashes, and
      register them.
      Interrupted downloads resume. HF_ENDPOINT (default https://huggingface.co) and HF_TOKEN are honoured.
  models add <folder> [--id <id>] [--model <model id>] [--kind model|sae]
      Register a GPT-2-family checkpoint (config.json + model.safetensors) or a SAELens SAE or transcoder folder
      (cfg.json + sae_weights.safetensors) already on disk, after checking its shapes. No network.
  models list [--json]
  models remove <id>          (an id, or a release prefix such as gpt2-small-res-jb)

Common options:
  --cache-dir <dir>   where models live and registry.json is kept (default: $WORKBENCH_MODELS_DIR, else .data/models)

Models: ${Object.keys(KNOWN_MODELS).join(', ')}
SAE sets:
${Object.values(KNOWN_SAE_SETS)
  .map((s) => `  ${s.name.padEnd(24)} ${s.repo}\n  ${''.padEnd(24)} ${s.description}`)
  .join('\n')}
`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Draw progress bars (on a terminal). */
  bars: boolean;
  /** Pause before resuming a cut download (ms); tests shorten it. */
  retryDelayMs?: number;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function layersOf(value: string | undefined): number[] {
  return list(value).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new HubError(`--layers: "${s}" is not a layer number`);
    return n;
  });
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A cli-progress bar per file, with speed and ETA; plain lines when not on a terminal. */
function progressSink(io: CliIo): ProgressSink {
  let bar: cliProgress.SingleBar | undefined;
  let value = 0;
  let startedAt = 0;
  let startedFrom = 0;
  let label = '';
  let total = 0;
  const speed = () => {
    const seconds = (Date.now() - startedAt) / 1000;
    return seconds > 0 ? `${formatBytes((value - startedFrom) / seconds)}/s` : '-';
  };
  return {
    start(name, size, already) {
      bar?.stop();
      label = name;
      total = size;
      value = already;
      startedFrom = already;
      startedAt = Date.now();
      if (!io.bars) return;
      bar = new cliProgress.SingleBar(
        {
          format: `{file} [{bar}] {percentage}% | {done}/{size} | {speed} | ETA {eta_formatted}`,
          hideCursor: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      const short = name.length > 56 ? `…${name.slice(-55)}` : name;
      bar.start(size, already, { file: short, done: formatBytes(already), size: formatBytes(size), speed: '-' });
    },
    advance(bytes) {
      value += bytes;
      bar?.update(value, { done: formatBytes(value), speed: speed() });
    },
    finish() {
      if (bar) bar.stop();
      else if (label) io.err(`${label}: ${formatBytes(value)} of ${formatBytes(total)} (${speed()})`);
      bar = undefined;
      label = '';
    },
    note(message) {
      io.err(message);
    },
  };
}

/** Runs the models CLI; returns the exit code. Every message passes through redact, so HF_TOKEN never shows. */
export async function runModelsCli(argv: string[], io: CliIo): Promise<number> {
  const token = hubOptionsFromEnv(io.env).token;
  const safe = (line: string) => redact(line, [token]);
  const out = (line: string) => io.out(safe(line));
  const err = (line: string) => io.err(safe(line));
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'cache-dir': { type: 'string' },
        saes: { type: 'string' },
        layers: { type: 'string' },
        hooks: { type: 'string' },
        revision: { type: 'string' },
        id: { type: 'string' },
        model: { type: 'string' },
        kind: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...args] = positionals;
    if (values.help || !command || command === 'help') {
      out(USAGE);
      return command || values.help ? 0 : 1;
    }
    const cacheDir = resolveCacheDir(values['cache-dir'], io.env);
    switch (command) {
      case 'fetch': {
        const model = args[0];
        if (!model || args.length > 1) throw new HubError('usage: models fetch <model> [--saes ...] [--layers ...]');
        const hub = new HubClient({ ...hubOptionsFromEnv(io.env), retryDelayMs: io.retryDelayMs });
        const result = await fetchModels({
          model,
          saes: list(values.saes),
          layers: layersOf(values.layers),
          hooks: list(values.hooks),
          revision: values.revision,
          cacheDir,
          hub,
          progress: progressSink({ ...io, err }),
          log: err,
        });
        out(
          `registered ${[result.model, ...result.saes].map((e) => e.id).join(', ')} in ${registryPath(cacheDir)} (${result.downloaded.length} files downloaded, ${result.reused.length} already cached)`,
        );
        return 0;
      }
      case 'add': {
        const folder = args[0];
        if (!folder || args.length > 1) throw new HubError('usage: models add <folder> [--id <id>] [--model <id>]');
        const kind = values.kind;
        if (kind !== undefined && kind !== 'model' && kind !== 'sae') throw new HubError('--kind is model or sae');
        const { entry, warnings } = await addLocalFolder(folder, {
          cacheDir,
          id: values.id,
          model: values.model,
          kind,
        });
        for (const warning of warnings) err(`warning: ${warning}`);
        const what =
          entry.kind === 'model'
            ? `model ${entry.id} (${entry.config.nLayers} layers, d_model ${entry.config.dModel})`
            : `SAE ${entry.id} (${entry.hook}, ${entry.d_in} -> ${entry.d_sae}, ${entry.architecture}${entry.model ? `, checked against ${entry.model}` : ''})`;
        out(`registered ${what} in ${registryPath(cacheDir)}`);
        return 0;
      }
      case 'list': {
        const { models, saes } = await listRegisteredModels(cacheDir, io.env);
        if (values.json) {
          out(JSON.stringify({ cacheDir, models, saes }, null, 2));
          return 0;
        }
        if (!models.length && !saes.length) {
          out(`nothing registered in ${registryPath(cacheDir)}; try: models fetch gpt2-small`);
          return 0;
        }
        const size = (files: { size: number }[]) => formatBytes(files.reduce((a, f) => a + f.size, 0));
        for (const m of models) {
          out(
            `model  ${m.id.padEnd(44)} ${`${m.config.nLayers}L d${m.config.dModel}`.padEnd(22)} ${size(m.files).padStart(9)}  ${m.repo ? `${m.repo}@${m.revision?.slice(0, 10)}` : m.absolutePath}`,
          );
        }
        for (const s of saes) {
          const c = s.conventions;
          const conv = [
            c.prependBos ? 'bos' : 'no-bos',
            c.centerResidual ? 'centred' : '',
            c.normalize !== 'none' ? c.normalize : '',
          ]
            .filter(Boolean)
            .join(',');
          // A transcoder reads s.hook and predicts another hook: both are shown.
          const tc = s.transcoder;
          const predicts = tc ? `  ${s.hook} -> ${tc.hookOut}${tc.skip ? ' (skip)' : ''}` : '';
          out(
            `${tc ? 'tc ' : 'sae'}    ${s.id.padEnd(44)} ${`${s.architecture}${s.k ? `(${s.k})` : ''} ${s.d_in}x${s.d_sae}`.padEnd(22)} ${size(s.files).padStart(9)}  ${conv}${s.model ? ` on ${s.model}` : ''}${predicts}`,
          );
        }
        return 0;
      }
      case 'remove': {
        const id = args[0];
        if (!id || args.length > 1) throw new HubError('usage: models remove <id>');
        const removed = await removeEntries(cacheDir, id);
        out(`removed ${removed.map((e) => e.id).join(', ')}`);
        return 0;
      }
      default:
        throw new HubError(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    err(`error: ${message}`);
    return 1;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const code = await runModelsCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    bars: Boolean(process.stderr.isTTY),
  });
  process.exitCode = code;
}
