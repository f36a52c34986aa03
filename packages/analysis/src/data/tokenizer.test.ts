import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { writeDemoData } from './cli.js';
import { generateCorpus } from './corpus.js';
import { ANSWER_VERBS, CORPUS_VERBS, DISTRACTORS, OBJECTS, PREPOSITIONS, RC_VERBS, SUBJECTS } from './lexicon.js';
import { generateSvaDataset, parseSvaJsonl, SVA_TEMPLATES } from './sva.js';
import {
  byteLevelPreTokenize,
  corpusVocabulary,
  DEMO_EOS_TOKEN,
  DEMO_UNK_TOKEN,
  demoTokenizerConfig,
  demoTokenizerJson,
} from './tokenizer.js';

const vocabulary = corpusVocabulary();
const tokenizer = new Tokenizer(demoTokenizerJson(vocabulary), demoTokenizerConfig());
const ids = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).ids;
const decode = (x: number[]) =>
  tokenizer.decode(x, { skip_special_tokens: false, clean_up_tokenization_spaces: false });

describe('demo tokenizer', () => {
  it('puts <|endoftext|> at 0 and [UNK] at 1, with no duplicates', () => {
    expect(vocabulary[0]).toBe(DEMO_EOS_TOKEN);
    expect(vocabulary[1]).toBe(DEMO_UNK_TOKEN);
    expect(new Set(vocabulary).size).toBe(vocabulary.length);
    expect(tokenizer.token_to_id(DEMO_EOS_TOKEN)).toBe(0);
    expect(vocabulary.length).toBeGreaterThan(300);
    expect(vocabulary.length).toBeLessThan(1000);
  });

  it('makes every answer, noun, preposition and verb exactly one token with a leading space', () => {
    const words = [
      ...ANSWER_VERBS.flatMap((v) => [v.sg, v.pl]),
      ...CORPUS_VERBS.flatMap((v) => [v.sg, v.pl]),
      ...RC_VERBS.flatMap((v) => [v.sg, v.pl]),
      ...[...SUBJECTS, ...OBJECTS, ...DISTRACTORS].flatMap((n) => [n.sg, n.pl]),
      ...PREPOSITIONS,
      'the',
      'that',
    ];
    for (const w of words) {
      const enc = ids(` ${w}`);
      expect(enc, w).toHaveLength(1);
      expect(enc[0], w).toBe(vocabulary.indexOf(`Ġ${w}`));
      expect(decode(enc)).toBe(` ${w}`);
    }
    expect(ids(' is')).not.toEqual(ids(' are'));
  });

  it('encodes a prefix word by word, with the answer one token after it', () => {
    const pair = generateSvaDataset('rc', { seed: 1, trainSize: 1, testSize: 0 }).train[0]!;
    const prefix = ids(pair.clean_prefix);
    expect(prefix).toHaveLength(pair.clean_prefix.split(' ').length);
    expect(ids(pair.clean_prefix + pair.clean_answer)).toEqual([...prefix, ...ids(pair.clean_answer)]);
    expect(prefix).not.toContain(1);
  });

  it('round-trips corpus text and has no unknown piece in corpora of other seeds', () => {
    const vocab = new Set(vocabulary);
    for (const seed of [1, 2, 3]) {
      const text = generateCorpus({ seed, documents: 300 });
      const unknown = byteLevelPreTokenize(text).filter((p) => !vocab.has(p));
      expect(unknown).toEqual([]);
      const doc = text.split('\n\n')[0]!;
      const enc = ids(doc);
      expect(enc).not.toContain(1);
      expect(decode(enc)).toBe(doc);
      expect(enc.length).toBe(byteLevelPreTokenize(doc).length);
    }
  });

  it('agrees with @huggingface/tokenizers on pre-tokenization and maps unknown words to [UNK]', () => {
    const text = 'The dogs near the cars are happy.\nWhere do the kids go?';
    expect(tokenizer.tokenize(text)).toEqual(byteLevelPreTokenize(text));
    expect(ids('The xylophones are')).toEqual([vocabulary.indexOf('The'), 1, vocabulary.indexOf('Ġare')]);
  });

  it('writes datasets, corpus and a loadable tokenizer through the CLI entry point', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-data-'));
    try {
      const manifest = await writeDemoData(dir, { seed: 5, documents: 50, trainSize: 20, testSize: 10 });
      for (const t of SVA_TEMPLATES) {
        for (const split of ['train', 'test']) {
          const rows = parseSvaJsonl(readFileSync(join(dir, 'datasets', `${t}_${split}.jsonl`), 'utf8'));
          expect(rows.length).toBeGreaterThan(0);
        }
      }
      expect(readFileSync(join(dir, 'corpus.txt'), 'utf8')).toBe(generateCorpus({ seed: 5, documents: 50 }));
      const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
      const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
      const loaded = new Tokenizer(json, config);
      expect(loaded.encode(' is', { add_special_tokens: false }).ids).toEqual(ids(' is'));
      expect(manifest.vocabularySize).toBe(vocabulary.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const OUTSIDE = fileURLToPath(new URL('../../../../../shared/data/sva/', import.meta.url));
const outsideFiles = existsSync(OUTSIDE) ? readdirSync(OUTSIDE).filter((f) => f.endsWith('_test.json')) : [];
if (outsideFiles.length === 0)
  console.warn(`skipping vocabulary coverage of outside data: no *_test.json in ${OUTSIDE}`);

describe.skipIf(outsideFiles.length === 0)('vocabulary coverage of /work/shared/data/sva', () => {
  it('has every word of the outside prefixes and answers as one token', () => {
    const prefixes = new Set<string>();
    const answers = new Set<string>();
    for (const f of outsideFiles) {
      for (const r of parseSvaJsonl(readFileSync(join(OUTSIDE, f), 'utf8'))) {
        prefixes.add(r.clean_prefix).add(r.patch_prefix);
        answers.add(r.clean_answer).add(r.patch_answer);
      }
    }
    expect(prefixes.size).toBeGreaterThan(100);
    for (const prefix of prefixes) {
      const enc = ids(prefix);
      expect(enc, prefix).not.toContain(1);
      expect(enc, prefix).toHaveLength(prefix.split(' ').length);
    }
    for (const answer of answers) {
      const enc = ids(answer);
      expect(enc, answer).toHaveLength(1);
      expect(enc, answer).not.toContain(1);
    }
  });
});
