#!/usr/bin/env node
/**
 * Writes the demo model's data into a folder (default packages/analysis/assets/demo/data):
 *   datasets/<template>_train.jsonl, datasets/<template>_test.jsonl   SVA pairs (DESIGN.md format)
 *   corpus.txt                                                          training text
 *   tokenizer.json, tokenizer_config.json                               whole-word tokenizer over the corpus
 *   manifest.json                                                       options, sizes and vocabulary size
 *
 * Usage: node packages/analysis/dist/data/cli.js [outDir] [--seed N] [--documents N] [--train-size N] [--test-size N]
 * Everything is deterministic from the options, so the output need not be committed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus } from './corpus.js';
import { generateSvaDatasets, svaToJsonl } from './sva.js';
import { corpusVocabulary, writeDemoTokenizer } from './tokenizer.js';

export interface WriteDemoDataOptions {
  seed?: number;
  documents?: number;
  trainSize?: number;
  testSize?: number;
}

export interface DemoDataManifest {
  seed: number;
  documents: number;
  corpusBytes: number;
  corpusSentences: number;
  vocabularySize: number;
  datasets: Record<string, { train: number; test: number }>;
}

/** Writes datasets, corpus and tokenizer into `outDir`; returns what it wrote. */
export async function writeDemoData(outDir: string, options: WriteDemoDataOptions = {}): Promise<DemoDataManifest> {
  const { seed = 0, documents = 20000, trainSize = 2000, testSize = 500 } = options;
  await mkdir(join(outDir, 'datasets'), { recursive: true });
  const datasets: DemoDataManifest['datasets'] = {};
  for (const ds of generateSvaDatasets({ seed, trainSize, testSize })) {
    await writeFile(join(outDir, 'datasets', `${ds.template}_train.jsonl`), svaToJsonl(ds.train));
    await writeFile(join(outDir, 'datasets', `${ds.template}_test.jsonl`), svaToJsonl(ds.test));
    datasets[ds.template] = { train: ds.train.length, test: ds.test.length };
  }
  const corpus = generateCorpus({ seed, documents });
  await writeFile(join(outDir, 'corpus.txt'), corpus);
  const vocabulary = corpusVocabulary();
  await writeDemoTokenizer(outDir, vocabulary);
  const manifest: DemoDataManifest = {
    seed,
    documents,
    corpusBytes: Buffer.byteLength(corpus),
    corpusSentences: corpus.split('\n').filter((l) => l !== '').length,
    vocabularySize: vocabulary.length,
    datasets,
  };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

const DEFAULT_OUT = fileURLToPath(new URL('../../assets/demo/data', import.meta.url));

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      documents: { type: 'string' },
      'train-size': { type: 'string' },
      'test-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: data [outDir] [--seed N] [--documents N] [--train-size N] [--test-size N]\n' +
        `default outDir: ${DEFAULT_OUT}`,
    );
    return;
  }
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
  const outDir = resolve(positionals[0] ?? DEFAULT_OUT);
  const manifest = await writeDemoData(outDir, {
    seed: int('seed', values.seed),
    documents: int('documents', values.documents),
    trainSize: int('train-size', values['train-size']),
    testSize: int('test-size', values['test-size']),
  });
  console.log(`wrote ${outDir}\n${JSON.stringify(manifest, null, 2)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
