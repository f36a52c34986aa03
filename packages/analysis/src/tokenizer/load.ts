/** Reads a tokenizer from a Hugging Face folder: tokenizer.json, or vocab.json + merges.txt (GPT-2 style). */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gpt2TokenizerJson, TextTokenizer } from './tokenizer.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export async function loadTokenizer(dir: string): Promise<TextTokenizer> {
  const configPath = join(dir, 'tokenizer_config.json');
  const config = (await exists(configPath)) ? JSON.parse(await readFile(configPath, 'utf8')) : {};
  const jsonPath = join(dir, 'tokenizer.json');
  if (await exists(jsonPath)) return new TextTokenizer(JSON.parse(await readFile(jsonPath, 'utf8')), config);
  const vocabPath = join(dir, 'vocab.json');
  const mergesPath = join(dir, 'merges.txt');
  if ((await exists(vocabPath)) && (await exists(mergesPath))) {
    const vocab = JSON.parse(await readFile(vocabPath, 'utf8'));
    return new TextTokenizer(gpt2TokenizerJson(vocab, await readFile(mergesPath, 'utf8')), config);
  }
  throw new Error(`${dir}: no tokenizer.json, nor vocab.json + merges.txt`);
}
