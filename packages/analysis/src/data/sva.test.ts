import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from './corpus.js';
import { ANSWER_VERBS, DISTRACTORS, OBJECTS, RC_VERBS, SUBJECTS } from './lexicon.js';
import { generateSvaDataset, parseSvaJsonl, SVA_TEMPLATES, type SvaPair, svaToJsonl } from './sva.js';

const SIZES = { trainSize: 600, testSize: 200 };
const sg = new Set([...SUBJECTS, ...OBJECTS, ...DISTRACTORS].map((n) => n.sg));
const pl = new Set([...SUBJECTS, ...OBJECTS, ...DISTRACTORS].map((n) => n.pl));
const sgVerb = new Set(ANSWER_VERBS.map((v) => ` ${v.sg}`));
const plVerb = new Set(ANSWER_VERBS.map((v) => ` ${v.pl}`));
const numberOf = (noun: string) => (sg.has(noun) ? 'singular' : pl.has(noun) ? 'plural' : 'unknown');
const verbNumber = (v: string) => (sgVerb.has(v) ? 'singular' : plVerb.has(v) ? 'plural' : 'unknown');

describe('SVA datasets', () => {
  it('are deterministic from the seed', () => {
    for (const t of SVA_TEMPLATES) {
      const a = svaToJsonl(generateSvaDataset(t, { seed: 7, ...SIZES }).train);
      expect(svaToJsonl(generateSvaDataset(t, { seed: 7, ...SIZES }).train)).toBe(a);
      expect(svaToJsonl(generateSvaDataset(t, { seed: 8, ...SIZES }).train)).not.toBe(a);
    }
  });

  it('agree with the right noun in every template and case, and the patch flips it', () => {
    for (const t of SVA_TEMPLATES) {
      const ds = generateSvaDataset(t, { seed: 3, ...SIZES });
      const cases = new Set<string>();
      for (const p of [...ds.train, ...ds.test]) {
        cases.add(p.case);
        const clean = p.clean_prefix.split(' ');
        const patch = p.patch_prefix.split(' ');
        expect(clean[0]).toBe('The');
        // Which word carries the agreement: the subject, or the RC's subject in within_rc.
        const at = t === 'within_rc' ? clean.length - 1 : 1;
        expect(numberOf(clean[at]!)).not.toBe('unknown');
        expect(verbNumber(p.clean_answer)).toBe(numberOf(clean[at]!));
        expect(verbNumber(p.patch_answer)).toBe(numberOf(patch[at]!));
        expect(verbNumber(p.patch_answer)).not.toBe(verbNumber(p.clean_answer));
        // Clean and patch differ exactly in that one word.
        expect(clean.filter((w, i) => w !== patch[i])).toEqual([clean[at]]);
        // The case names the clean numbers, subject first.
        const expectedCase =
          t === 'simple'
            ? numberOf(clean[1]!)
            : `${numberOf(clean[1]!)}_${numberOf(clean[t === 'rc' ? 4 : clean.length - 1]!)}`;
        expect(p.case).toBe(expectedCase);
        if (t === 'rc') {
          // The RC verb agrees with the distractor: "that the chefs like" / "that the chef likes".
          const form = numberOf(clean[4]!) === 'singular' ? 'sg' : 'pl';
          expect(RC_VERBS.map((v) => v[form])).toContain(clean[5]);
        }
      }
      const expected =
        t === 'simple'
          ? ['plural', 'singular']
          : ['plural_plural', 'plural_singular', 'singular_plural', 'singular_singular'];
      expect([...cases].sort()).toEqual(expected);
    }
  });

  it('have no prefix in both train and test', () => {
    for (const t of SVA_TEMPLATES) {
      const ds = generateSvaDataset(t, { seed: 1, trainSize: 5000, testSize: 5000 });
      const train = new Set(ds.train.flatMap((p) => [p.clean_prefix, p.patch_prefix]));
      const overlap = ds.test.filter((p) => train.has(p.clean_prefix) || train.has(p.patch_prefix));
      expect(overlap).toEqual([]);
      expect(ds.test.length).toBeGreaterThan(0);
      expect(ds.train.length).toBeGreaterThan(0);
    }
  });

  it('round-trip through JSONL with the published key order', () => {
    const pairs = generateSvaDataset('nounpp', { seed: 2, trainSize: 5, testSize: 1 }).train;
    const text = svaToJsonl(pairs);
    expect(text.split('\n')[0]).toMatch(
      /^\{"clean_prefix":.*,"patch_prefix":.*,"clean_answer":" \w+","patch_answer":" \w+","case":"\w+"\}$/,
    );
    expect(parseSvaJsonl(text)).toEqual(pairs);
  });
});

const OUTSIDE = fileURLToPath(new URL('../../../../../shared/data/sva/', import.meta.url));
const outsideFiles = existsSync(OUTSIDE) ? readdirSync(OUTSIDE).filter((f) => f.endsWith('_test.json')) : [];
if (outsideFiles.length === 0) console.warn(`skipping outside-data checks: no *_test.json in ${OUTSIDE}`);

describe.skipIf(outsideFiles.length === 0)('outside evaluation data (/work/shared/data/sva)', () => {
  const outside = new Map<string, SvaPair[]>(
    outsideFiles.map((f) => [f.replace(/_test\.json$/, ''), parseSvaJsonl(readFileSync(`${OUTSIDE}${f}`, 'utf8'))]),
  );

  it('is not reproduced in our train splits (rows or prefixes)', () => {
    for (const [template, rows] of outside) {
      expect(SVA_TEMPLATES).toContain(template);
      const ours = generateSvaDataset(template as (typeof SVA_TEMPLATES)[number], { seed: 0, trainSize: 5000 }).train;
      const prefixes = new Set(ours.flatMap((p) => [p.clean_prefix, p.patch_prefix]));
      const shared = rows.filter((r) => prefixes.has(r.clean_prefix) || prefixes.has(r.patch_prefix));
      expect(shared.length, `${template}: outside prefixes in our train split`).toBe(0);
    }
  });

  it('never occurs with its answer at the start of a corpus sentence', () => {
    const lines = new Set(generateCorpus({ seed: 0, documents: 3000 }).split('\n'));
    const starts = new Set<string>();
    for (const line of lines) {
      const words = line.split(' ');
      for (let i = 2; i <= Math.min(words.length, 8); i++) starts.add(words.slice(0, i).join(' '));
    }
    let hits = 0;
    for (const rows of outside.values()) {
      for (const r of rows) {
        if (starts.has(r.clean_prefix + r.clean_answer) || starts.has(r.patch_prefix + r.patch_answer)) hits++;
      }
    }
    expect(hits).toBe(0);
  });

  it('uses the answers and nouns of our lexicon', () => {
    for (const rows of outside.values()) {
      for (const r of rows) {
        expect(sgVerb.has(r.clean_answer) || plVerb.has(r.clean_answer)).toBe(true);
        expect(verbNumber(r.patch_answer)).not.toBe(verbNumber(r.clean_answer));
      }
    }
  });
});
