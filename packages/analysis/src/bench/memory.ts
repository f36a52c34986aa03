/**
 * Memory check: writes a random GPT-2-small-shaped checkpoint (fp32, ~475 MiB) in Hugging Face format, then in
 * a fresh process loads it with loadHookedGPT2 and runs one forward pass; prints peak RSS against the weights' size.
 * Usage: node dist/bench/memory.js
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GPT2_SMALL } from '../model/config.js';
import { loadHookedGPT2 } from '../model/load.js';
import { randomGPT2Weights, writeGPT2Checkpoint } from '../model/random.js';

const config = GPT2_SMALL;

async function child(dir: string) {
  const t = performance.now();
  const { model } = await loadHookedGPT2(dir, { cacheDir: join(dir, 'cache') });
  await model.run([[1, 2, 3, 4]], { hooks: ['blocks.0.hook_resid_pre'] });
  const seconds = (performance.now() - t) / 1000;
  console.log(JSON.stringify({ seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

async function main() {
  if (process.argv[2]) return child(process.argv[2]);
  const dir = await mkdtemp(join(tmpdir(), 'gpt2-memory-'));
  try {
    const weights = randomGPT2Weights(config, 5, 0.02);
    const bytes = [...weights.values()].reduce((n, w) => n + w.byteLength, 0);
    await writeGPT2Checkpoint(dir, config, weights, { prefix: 'transformer.' });
    weights.clear();
    const self = fileURLToPath(import.meta.url);
    for (const label of ['first load (converts)', 'cached load']) {
      const run = spawnSync(process.execPath, [self, dir], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(run.stderr);
      const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      console.log(
        `${label}: ${r.seconds.toFixed(2)} s, peak RSS ${r.maxRssMiB.toFixed(0)} MiB = ${(r.maxRssMiB / (bytes / 2 ** 20)).toFixed(2)} x the weights`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
