/**
 * Subject-verb agreement (SVA) pair datasets in the JSONL format of DESIGN.md:
 * `{"clean_prefix","patch_prefix","clean_answer","patch_answer","case"}`.
 *
 * Templates (`case` is the clean side's numbers, subject first, as in the published files):
 * - simple     `The {subj}`                          answer agrees with subj;  patch flips subj.  case `singular`
 * - nounpp     `The {subj} {prep} the {obj}`         answer agrees with subj;  patch flips subj.  case `singular_plural`
 * - within_rc  `The {subj} that the {dist}`          answer agrees with dist;  patch flips dist.  case `singular_plural`
 * - rc         `The {subj} that the {dist} {verb}`   answer agrees with subj;  patch flips subj (the RC verb keeps
 *                                                    agreeing with dist).                         case `singular_plural`
 *
 * Train/test split is by noun combination (subject lemma plus object/distractor lemma): every prefix of one
 * combination lands in the same split, so no test prefix occurs in train. Combinations made only of DESIGN.md's
 * canonical nouns always go to test (that is the space the outside evaluation files are drawn from); the others go
 * to test when a stable hash of the combination falls under `testFraction`. The split does not depend on the seed.
 */
import {
  ANSWER_VERBS,
  DISTRACTORS,
  type Noun,
  OBJECTS,
  PREPOSITIONS,
  RC_VERBS,
  SUBJECTS,
  type VerbPair,
} from './lexicon.js';
import { fnv1a, pick, type Rng, subRng } from './prng.js';

export const SVA_TEMPLATES = ['simple', 'nounpp', 'within_rc', 'rc'] as const;
export type SvaTemplate = (typeof SVA_TEMPLATES)[number];
export type GrammaticalNumber = 'singular' | 'plural';
export type SvaSplit = 'train' | 'test';

export interface SvaPair {
  clean_prefix: string;
  patch_prefix: string;
  clean_answer: string;
  patch_answer: string;
  case: string;
}

export interface SvaLexicon {
  subjects: readonly Noun[];
  objects: readonly Noun[];
  distractors: readonly Noun[];
  prepositions: readonly string[];
  rcVerbs: readonly VerbPair[];
  answers: readonly VerbPair[];
}

export const DEFAULT_SVA_LEXICON: SvaLexicon = {
  subjects: SUBJECTS,
  objects: OBJECTS,
  distractors: DISTRACTORS,
  prepositions: PREPOSITIONS,
  rcVerbs: RC_VERBS,
  answers: ANSWER_VERBS,
};

export interface SvaOptions {
  seed?: number;
  /** Pairs per split at most (fewer when the split's space is smaller). Default 2000 train, 500 test. */
  trainSize?: number;
  testSize?: number;
  /** Share of non-canonical combinations held out for test (default 0.2). */
  testFraction?: number;
  lexicon?: SvaLexicon;
}

export interface SvaDataset {
  template: SvaTemplate;
  train: SvaPair[];
  test: SvaPair[];
}

/** The nouns of one combination; `second` is the object (nounpp) or distractor (within_rc, rc); absent for simple. */
export interface SvaCombination {
  subject: Noun;
  second?: Noun;
}

const form = (n: Noun, num: GrammaticalNumber): string => (num === 'singular' ? n.sg : n.pl);
const verbForm = (v: VerbPair, num: GrammaticalNumber): string => (num === 'singular' ? v.sg : v.pl);
const flip = (num: GrammaticalNumber): GrammaticalNumber => (num === 'singular' ? 'plural' : 'singular');
const NUMBERS: readonly GrammaticalNumber[] = ['singular', 'plural'];

/** Stable key of a combination, used for the split. */
export function svaCombinationKey(template: SvaTemplate, c: SvaCombination): string {
  return `${template}:${c.subject.sg}:${c.second?.sg ?? ''}`;
}

/** Which split a combination belongs to (seed-independent). */
export function svaSplitOf(template: SvaTemplate, c: SvaCombination, testFraction = 0.2): SvaSplit {
  const canonical = c.subject.canonical && (c.second === undefined || c.second.canonical);
  if (canonical) return 'test';
  return fnv1a(svaCombinationKey(template, c)) / 4294967296 < testFraction ? 'test' : 'train';
}

/** All combinations of a template over a lexicon. */
export function svaCombinations(template: SvaTemplate, lexicon: SvaLexicon = DEFAULT_SVA_LEXICON): SvaCombination[] {
  if (template === 'simple') return lexicon.subjects.map((subject) => ({ subject }));
  const seconds = template === 'nounpp' ? lexicon.objects : lexicon.distractors;
  return lexicon.subjects.flatMap((subject) => seconds.map((second) => ({ subject, second })));
}

/** The choices that make one pair out of a combination. */
export interface SvaPairChoice {
  subjectNumber: GrammaticalNumber;
  secondNumber: GrammaticalNumber;
  answer: VerbPair;
  preposition: string;
  rcVerb: VerbPair;
}

/** Builds the pair for one combination and choice (pure; exported for tests and the corpus). */
export function makeSvaPair(template: SvaTemplate, c: SvaCombination, ch: SvaPairChoice): SvaPair {
  const s = ch.subjectNumber;
  const d = ch.secondNumber;
  const second = c.second;
  if (template !== 'simple' && second === undefined) throw new Error(`${template} needs a second noun`);
  const subj = (num: GrammaticalNumber) => `The ${form(c.subject, num)}`;
  switch (template) {
    case 'simple':
      return pair(subj(s), subj(flip(s)), ch.answer, s, s);
    case 'nounpp': {
      const tail = ` ${ch.preposition} the ${form(second!, d)}`;
      return pair(subj(s) + tail, subj(flip(s)) + tail, ch.answer, s, `${s}_${d}`);
    }
    case 'within_rc': {
      const rc = (num: GrammaticalNumber) => `${subj(s)} that the ${form(second!, num)}`;
      return pair(rc(d), rc(flip(d)), ch.answer, d, `${s}_${d}`);
    }
    case 'rc': {
      const tail = ` that the ${form(second!, d)} ${verbForm(ch.rcVerb, d)}`;
      return pair(subj(s) + tail, subj(flip(s)) + tail, ch.answer, s, `${s}_${d}`);
    }
  }
}

function pair(
  cleanPrefix: string,
  patchPrefix: string,
  answer: VerbPair,
  agreeing: GrammaticalNumber,
  caseName: string,
): SvaPair {
  return {
    clean_prefix: cleanPrefix,
    patch_prefix: patchPrefix,
    clean_answer: ` ${verbForm(answer, agreeing)}`,
    patch_answer: ` ${verbForm(answer, flip(agreeing))}`,
    case: caseName,
  };
}

/** Draws a random choice for a template. */
export function randomSvaChoice(
  rng: Rng,
  template: SvaTemplate,
  lexicon: SvaLexicon = DEFAULT_SVA_LEXICON,
): SvaPairChoice {
  return {
    subjectNumber: pick(rng, NUMBERS),
    secondNumber: template === 'simple' ? 'singular' : pick(rng, NUMBERS),
    answer: pick(rng, lexicon.answers),
    preposition: template === 'nounpp' ? pick(rng, lexicon.prepositions) : '',
    rcVerb: template === 'rc' ? pick(rng, lexicon.rcVerbs) : { sg: '', pl: '' },
  };
}

/** Number of distinct pairs one combination can give. */
function pairsPerCombination(template: SvaTemplate, lexicon: SvaLexicon): number {
  const a = lexicon.answers.length;
  switch (template) {
    case 'simple':
      return 2 * a;
    case 'nounpp':
      return 4 * a * lexicon.prepositions.length;
    case 'within_rc':
      return 4 * a;
    case 'rc':
      return 4 * a * lexicon.rcVerbs.length;
  }
}

function sample(
  rng: Rng,
  template: SvaTemplate,
  combos: readonly SvaCombination[],
  size: number,
  lexicon: SvaLexicon,
): SvaPair[] {
  const capacity = combos.length * pairsPerCombination(template, lexicon);
  const target = Math.min(size, capacity);
  const seen = new Set<string>();
  const out: SvaPair[] = [];
  if (combos.length === 0) return out;
  // Rejection sampling; when the target is close to the whole space, finish by enumeration-free retries (bounded).
  for (let tries = 0; out.length < target && tries < target * 200; tries++) {
    const p = makeSvaPair(template, pick(rng, combos), randomSvaChoice(rng, template, lexicon));
    const key = `${p.clean_prefix}|${p.clean_answer}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** Generates train and test pairs for one template, deterministically from the seed. */
export function generateSvaDataset(template: SvaTemplate, options: SvaOptions = {}): SvaDataset {
  const { seed = 0, trainSize = 2000, testSize = 500, testFraction = 0.2, lexicon = DEFAULT_SVA_LEXICON } = options;
  const combos = svaCombinations(template, lexicon);
  const trainCombos = combos.filter((c) => svaSplitOf(template, c, testFraction) === 'train');
  const testCombos = combos.filter((c) => svaSplitOf(template, c, testFraction) === 'test');
  return {
    template,
    train: sample(subRng(seed, `sva:${template}:train`), template, trainCombos, trainSize, lexicon),
    test: sample(subRng(seed, `sva:${template}:test`), template, testCombos, testSize, lexicon),
  };
}

/** Generates every template. */
export function generateSvaDatasets(options: SvaOptions = {}): SvaDataset[] {
  return SVA_TEMPLATES.map((t) => generateSvaDataset(t, options));
}

/** One JSON object a line, keys in the published order, trailing newline. */
export function svaToJsonl(pairs: readonly SvaPair[]): string {
  return pairs
    .map((p) =>
      JSON.stringify({
        clean_prefix: p.clean_prefix,
        patch_prefix: p.patch_prefix,
        clean_answer: p.clean_answer,
        patch_answer: p.patch_answer,
        case: p.case,
      }),
    )
    .map((l) => `${l}\n`)
    .join('');
}

/** Parses JSONL pair files (blank lines ignored). */
export function parseSvaJsonl(text: string): SvaPair[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SvaPair);
}
