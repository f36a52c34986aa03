/**
 * Plain-text training corpus: agreement sentences from every SVA template (all four number svaCombinations, so both the
 * clean and the patch side of each pair are seen with their correct verb and a continuation) mixed with varied filler
 * (pronouns, adjectives, adverbs, conjunctions, questions, lists, numbers, compound subjects, past tense, imperatives,
 * names, reported speech, subject relatives) so that a small model trained on it is a language model, not a classifier.
 *
 * Format: one sentence a line; documents separated by a blank line; ASCII only; no leading or trailing spaces.
 * Agreement sentences use only train-split noun svaCombinations (see sva.ts), so no test pair - ours or the published
 * ones built from DESIGN.md's canonical nouns - ever occurs in the corpus with its answer.
 */
import {
  ADJECTIVES,
  ADVERBS,
  ANSWER_VERBS,
  article,
  CORPUS_VERBS,
  type CorpusVerb,
  DISTRACTORS,
  NAMES,
  type Noun,
  NUMBER_WORDS,
  OBJECTS,
  PREPOSITIONS,
  RC_VERBS,
  SUBJECTS,
  THINGS,
  TIMES,
  type VerbPair,
} from './lexicon.js';
import { chance, pick, type Rng, randInt, subRng } from './prng.js';
import {
  type GrammaticalNumber,
  SVA_TEMPLATES,
  type SvaCombination,
  type SvaTemplate,
  svaCombinations,
  svaSplitOf,
} from './sva.js';

export interface CorpusOptions {
  seed?: number;
  /** Number of documents (default 20000). */
  documents?: number;
  /** Sentences per document, inclusive range (default 4..10). */
  minSentences?: number;
  maxSentences?: number;
  /** Share of agreement-template sentences (default 0.5); the rest is filler. */
  agreementShare?: number;
  /** Must match the SVA datasets' testFraction so test svaCombinations stay out of the corpus (default 0.2). */
  testFraction?: number;
}

const NUMS: readonly GrammaticalNumber[] = ['singular', 'plural'];
const ALL_NOUNS: readonly Noun[] = [...SUBJECTS, ...DISTRACTORS, ...OBJECTS];
const PEOPLE: readonly Noun[] = [...SUBJECTS, ...DISTRACTORS];
/** The answer verbs of the datasets come first in CORPUS_VERBS and are drawn more often. */
const ANSWER_VERB_COUNT = 5;

const nf = (n: Noun, num: GrammaticalNumber) => (num === 'singular' ? n.sg : n.pl);
const vf = (v: VerbPair, num: GrammaticalNumber) => (num === 'singular' ? v.sg : v.pl);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const join = (...parts: string[]) => parts.filter((p) => p !== '').join(' ');

function mainVerb(rng: Rng): CorpusVerb {
  return chance(rng, 0.6) ? pick(rng, CORPUS_VERBS.slice(0, ANSWER_VERB_COUNT)) : pick(rng, CORPUS_VERBS);
}

/** Verb phrase agreeing with `num`: verb plus a continuation. */
function predicate(rng: Rng, num: GrammaticalNumber, noNegation = false): string {
  const v = mainVerb(rng);
  const rest = v.rest.filter((r) => !(noNegation && r.startsWith('not')));
  return join(vf(v, num), pick(rng, rest.length > 0 ? rest : v.rest));
}

/** A noun phrase "the dogs" / "a dog" / "the old dog", with its number. */
function nounPhrase(rng: Rng, nouns: readonly Noun[] = ALL_NOUNS): { text: string; num: GrammaticalNumber } {
  const n = pick(rng, nouns);
  const num = pick(rng, NUMS);
  const word = nf(n, num);
  const adj = chance(rng, 0.25) ? pick(rng, ADJECTIVES) : '';
  const head = join(adj, word);
  if (num === 'singular' && chance(rng, 0.3)) return { text: `${article(head)} ${head}`, num };
  return { text: `the ${head}`, num };
}

// ---------------------------------------------------------------------------------------------------------------
// Agreement sentences (train svaCombinations only)

const trainCombos = new Map<string, SvaCombination[]>();
function trainCombinations(template: SvaTemplate, testFraction: number): SvaCombination[] {
  const key = `${template}:${testFraction}`;
  let list = trainCombos.get(key);
  if (!list) {
    list = svaCombinations(template).filter((c) => svaSplitOf(template, c, testFraction) === 'train');
    trainCombos.set(key, list);
  }
  return list;
}

/** One full agreement sentence of a template: prefix, correct verb, continuation. */
export function agreementSentence(rng: Rng, template: SvaTemplate, testFraction = 0.2): string {
  const c = pick(rng, trainCombinations(template, testFraction));
  const s = pick(rng, NUMS);
  const d = pick(rng, NUMS);
  const subj = `The ${nf(c.subject, s)}`;
  const second = c.second ? nf(c.second, d) : '';
  switch (template) {
    case 'simple':
      return `${subj} ${predicate(rng, s)}.`;
    case 'nounpp':
      return `${subj} ${pick(rng, PREPOSITIONS)} the ${second} ${predicate(rng, s)}.`;
    case 'within_rc': {
      const gapVerbs = CORPUS_VERBS.filter((v) => v.gap.some((g) => g !== ''));
      const v = chance(rng, 0.7) ? pick(rng, CORPUS_VERBS.slice(0, ANSWER_VERB_COUNT)) : pick(rng, gapVerbs);
      const gap = pick(
        rng,
        v.gap.filter((g) => g !== ''),
      );
      return `${subj} that the ${second} ${join(vf(v, d), gap)} ${predicate(rng, s)}.`;
    }
    case 'rc':
      return `${subj} that the ${second} ${vf(pick(rng, RC_VERBS), d)} ${predicate(rng, s)}.`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Filler

const PRONOUNS: readonly { text: string; num: GrammaticalNumber | 'I' | 'you' }[] = [
  { text: 'I', num: 'I' },
  { text: 'you', num: 'you' },
  { text: 'he', num: 'singular' },
  { text: 'she', num: 'singular' },
  { text: 'it', num: 'singular' },
  { text: 'we', num: 'plural' },
  { text: 'they', num: 'plural' },
];

function pronounVerb(v: VerbPair, who: GrammaticalNumber | 'I' | 'you'): string {
  if (v.sg === 'is') return who === 'I' ? 'am' : who === 'singular' ? 'is' : 'are';
  if (v.sg === 'was') return who === 'I' || who === 'singular' ? 'was' : 'were';
  return who === 'singular' ? v.sg : v.pl;
}

const PAST_VERBS: readonly string[] = ['saw', 'met', 'called', 'helped', 'found', 'liked', 'visited', 'watched'];
const CONJUNCTIONS: readonly string[] = ['and', 'but', 'so', 'while', 'because'];
const PLACE_VERBS: readonly string[] = ['Go', 'Come', 'Walk', 'Run'];

type Filler = (rng: Rng) => string;

const FILLERS: readonly Filler[] = [
  // Pronoun with a verb: "She has a dog." "I am tired."
  (rng) => {
    const p = pick(rng, PRONOUNS);
    const v = mainVerb(rng);
    return `${cap(p.text)} ${pronounVerb(v, p.num)} ${pick(rng, v.rest)}.`;
  },
  // Adjective noun phrase subject: "The old dogs run fast."
  (rng) => {
    const n = pick(rng, ALL_NOUNS);
    const num = pick(rng, NUMS);
    const adjs = chance(rng, 0.3) ? `${pick(rng, ADJECTIVES)} ${pick(rng, ADJECTIVES)}` : pick(rng, ADJECTIVES);
    return `The ${adjs} ${nf(n, num)} ${predicate(rng, num)}.`;
  },
  // Adverb between subject and verb: "The men often go home."
  (rng) => {
    const np = nounPhrase(rng, PEOPLE);
    return `${cap(np.text)} ${pick(rng, ADVERBS)} ${predicate(rng, np.num, true)}.`;
  },
  // Two clauses with a conjunction.
  (rng) => {
    const a = nounPhrase(rng);
    const b = chance(rng, 0.3) ? pick(rng, PRONOUNS) : nounPhrase(rng);
    const bVerb = mainVerb(rng);
    const second = `${b.text} ${pronounVerb(bVerb, b.num)} ${pick(rng, bVerb.rest)}`;
    return `${cap(a.text)} ${predicate(rng, a.num)} ${pick(rng, CONJUNCTIONS)} ${second}.`;
  },
  // Questions with inversion: "Are the dogs hungry?" "Where does the boy go?"
  (rng) => {
    const n = pick(rng, ALL_NOUNS);
    const num = pick(rng, NUMS);
    const np = `the ${nf(n, num)}`;
    switch (randInt(rng, 6)) {
      case 0:
        return `${num === 'singular' ? 'Is' : 'Are'} ${np} ${pick(rng, CORPUS_VERBS[0]!.rest)}?`;
      case 1:
        return `${num === 'singular' ? 'Does' : 'Do'} ${np} ${pick(rng, ['like', 'know', 'see', 'want'])} the ${nf(pick(rng, ALL_NOUNS), pick(rng, NUMS))}?`;
      case 2:
        return `Where ${num === 'singular' ? 'does' : 'do'} ${np} ${pick(rng, ['go', 'live', 'work', 'sleep'])}?`;
      case 3:
        return `${num === 'singular' ? 'Has' : 'Have'} ${np} ${pick(rng, ['met', 'seen', 'called', 'helped'])} the ${nf(pick(rng, PEOPLE), pick(rng, NUMS))}?`;
      case 4:
        return `What ${num === 'singular' ? 'does' : 'do'} ${np} ${pick(rng, ['want', 'need', 'like', 'know'])}?`;
      default:
        return `Who ${num === 'singular' ? 'is' : 'are'} ${np} ${pick(rng, ['with', 'near', 'waiting for', 'talking to'])}?`;
    }
  },
  // Lists: "The farmer has apples, bread, and milk."
  (rng) => {
    const items = [pick(rng, THINGS), pick(rng, THINGS), pick(rng, THINGS)];
    if (chance(rng, 0.5)) {
      const np = nounPhrase(rng, PEOPLE);
      const v = pick(rng, [CORPUS_VERBS[1]!, CORPUS_VERBS[9]!, CORPUS_VERBS[10]!, CORPUS_VERBS[15]!]);
      return `${cap(np.text)} ${vf(v, np.num)} ${items[0]}, ${items[1]}, and ${items[2]}.`;
    }
    const names = [pick(rng, NAMES), pick(rng, NAMES), pick(rng, NAMES)];
    return `${names[0]}, ${names[1]}, and ${names[2]} ${predicate(rng, 'plural')}.`;
  },
  // Numbers: "There are 3 dogs near the house." "Two boys run fast." "Anna is 9 years old."
  (rng) => {
    const n = pick(rng, ALL_NOUNS);
    const k = 2 + randInt(rng, 11);
    switch (randInt(rng, 5)) {
      case 0:
        return `There are ${k} ${n.pl} ${pick(rng, PREPOSITIONS)} the ${nf(pick(rng, OBJECTS), pick(rng, NUMS))}.`;
      case 1:
        return `There is ${article(n.sg)} ${n.sg} ${pick(rng, PREPOSITIONS)} the ${nf(pick(rng, OBJECTS), pick(rng, NUMS))}.`;
      case 2:
        return `${cap(pick(rng, NUMBER_WORDS))} ${n.pl} ${predicate(rng, 'plural')}.`;
      case 3:
        return `${pick(rng, NAMES)} is ${k} years old.`;
      default: {
        const np = nounPhrase(rng, PEOPLE);
        const count = chance(rng, 0.5) ? String(k) : pick(rng, NUMBER_WORDS);
        return `${cap(np.text)} ${vf(CORPUS_VERBS[1]!, np.num)} ${count} ${pick(rng, OBJECTS).pl}.`;
      }
    }
  },
  // Compound subjects take a plural verb: "The boy and the girl are happy."
  (rng) => {
    const a = chance(rng, 0.5) ? pick(rng, NAMES) : `the ${nf(pick(rng, PEOPLE), pick(rng, NUMS))}`;
    const b = chance(rng, 0.5) ? pick(rng, NAMES) : `the ${nf(pick(rng, PEOPLE), pick(rng, NUMS))}`;
    return `${cap(a)} and ${b} ${predicate(rng, 'plural')}.`;
  },
  // Past tense, no agreement: "The girls saw the dog yesterday."
  (rng) => {
    const a = nounPhrase(rng, PEOPLE);
    const b = nounPhrase(rng);
    return `${cap(a.text)} ${pick(rng, PAST_VERBS)} ${b.text} ${pick(rng, TIMES)}.`;
  },
  // Imperatives and time adverbials.
  (rng) => {
    switch (randInt(rng, 3)) {
      case 0:
        return `${pick(rng, PLACE_VERBS)} ${pick(rng, ['home', 'to the park', 'to school', 'with me'])} ${pick(rng, TIMES)}!`;
      case 1:
        return `Please look at the ${nf(pick(rng, ALL_NOUNS), pick(rng, NUMS))}.`;
      default: {
        const np = nounPhrase(rng, PEOPLE);
        return `${cap(pick(rng, ['today', 'yesterday', 'now']))} ${np.text} ${predicate(rng, np.num)}.`;
      }
    }
  },
  // Names: "Tom runs fast." "Mia said that the dogs are hungry."
  (rng) => {
    if (chance(rng, 0.5)) return `${pick(rng, NAMES)} ${predicate(rng, 'singular')}.`;
    const np = nounPhrase(rng);
    return `${pick(rng, NAMES)} said that ${np.text} ${predicate(rng, np.num)}.`;
  },
  // Subject relatives ("The boy that likes the chefs is here.") and reported speech with a noun subject.
  (rng) => {
    const head = pick(rng, PEOPLE);
    const num = pick(rng, NUMS);
    if (chance(rng, 0.5)) {
      const obj = nf(pick(rng, ALL_NOUNS), pick(rng, NUMS));
      return `The ${nf(head, num)} ${pick(rng, ['that', 'who'])} ${vf(pick(rng, RC_VERBS), num)} the ${obj} ${predicate(rng, num)}.`;
    }
    const np = nounPhrase(rng);
    return `The ${nf(head, num)} said that ${np.text} ${predicate(rng, np.num)}.`;
  },
];

const heldOutStarts = new Map<number, Set<string>>();
/** "The boy is", "The boys have", ...: the simple-template prefixes of test-split subjects with every answer. */
function heldOutSimpleStarts(testFraction: number): Set<string> {
  let set = heldOutStarts.get(testFraction);
  if (!set) {
    set = new Set();
    for (const c of svaCombinations('simple')) {
      if (svaSplitOf('simple', c, testFraction) !== 'test') continue;
      for (const v of ANSWER_VERBS) {
        set.add(`The ${c.subject.sg} ${v.sg}`);
        set.add(`The ${c.subject.pl} ${v.pl}`);
      }
    }
    heldOutStarts.set(testFraction, set);
  }
  return set;
}

/**
 * One filler sentence. Sentences starting like a held-out simple pair with its answer ("The boy is ...") are drawn
 * again, so test pairs never occur in the corpus even by accident.
 */
export function fillerSentence(rng: Rng, testFraction = 0.2): string {
  const heldOut = heldOutSimpleStarts(testFraction);
  for (;;) {
    const sentence = pick(rng, FILLERS)(rng);
    if (!heldOut.has(sentence.split(' ', 3).join(' '))) return sentence;
  }
}

/** Sentence weights of the agreement templates. */
const TEMPLATE_WEIGHTS: Record<SvaTemplate, number> = { simple: 0.2, nounpp: 0.3, within_rc: 0.25, rc: 0.25 };

function pickTemplate(rng: Rng): SvaTemplate {
  let r = rng();
  for (const t of SVA_TEMPLATES) {
    r -= TEMPLATE_WEIGHTS[t];
    if (r < 0) return t;
  }
  return 'rc';
}

/** The documents of the corpus, each an array of sentences. */
export function* corpusDocuments(options: CorpusOptions = {}): Generator<string[]> {
  const {
    seed = 0,
    documents = 20000,
    minSentences = 4,
    maxSentences = 10,
    agreementShare = 0.5,
    testFraction = 0.2,
  } = options;
  const rng = subRng(seed, 'corpus');
  for (let d = 0; d < documents; d++) {
    const count = minSentences + randInt(rng, maxSentences - minSentences + 1);
    const doc: string[] = [];
    for (let i = 0; i < count; i++) {
      doc.push(
        chance(rng, agreementShare)
          ? agreementSentence(rng, pickTemplate(rng), testFraction)
          : fillerSentence(rng, testFraction),
      );
    }
    yield doc;
  }
}

/** The whole corpus as text: sentences on lines, documents separated by a blank line, trailing newline. */
export function generateCorpus(options: CorpusOptions = {}): string {
  const docs: string[] = [];
  for (const doc of corpusDocuments(options)) docs.push(doc.join('\n'));
  return `${docs.join('\n\n')}\n`;
}
