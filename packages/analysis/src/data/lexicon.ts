/**
 * Word lists for the subject-verb agreement (SVA) templates and the training corpus.
 *
 * The nouns marked `canonical` are the ones listed in DESIGN.md ("Subject-verb agreement data", after Marks et al. and
 * Finlayson et al. 2021); the others are our additions. Combinations made only of canonical words are reserved for the
 * test split (and kept out of the corpus' agreement sentences), so the published-style evaluation sets can never be
 * reproduced by our training data.
 */
export interface Noun {
  sg: string;
  pl: string;
  /** Listed in DESIGN.md. */
  canonical: boolean;
}

/** A verb with its 3rd person singular and plural (base) present forms. */
export interface VerbPair {
  sg: string;
  pl: string;
}

function nouns(canonical: boolean, words: string): Noun[] {
  return words
    .trim()
    .split(/\s+/)
    .map((w) => {
      const [sg, pl] = w.split('/') as [string, string | undefined];
      return { sg, pl: pl ?? `${sg}s`, canonical };
    });
}

function verbs(words: string): VerbPair[] {
  return words
    .trim()
    .split(/\s+/)
    .map((w) => {
      const [sg, pl] = w.split('/') as [string, string];
      return { sg, pl };
    });
}

/** Subjects (people). */
export const SUBJECTS: readonly Noun[] = [
  ...nouns(
    true,
    'athlete aunt boy carpenter doctor farmer father friend girl guy kid lawyer man/men mother poet singer teacher uncle victim woman/women',
  ),
  ...nouns(
    false,
    'actor baker brother child/children cousin dentist nurse painter pilot sister soldier student worker writer neighbor officer',
  ),
];

/** Objects of the prepositions in `nounpp`. */
export const OBJECTS: readonly Noun[] = [
  ...nouns(true, 'bike car cat chair desk dog table tree truck window'),
  ...nouns(false, 'house door box/boxes lamp fence bench/benches boat wall bus/buses bed clock bridge horse shop'),
];

/** Distractors: the subjects of the relative clauses in `within_rc` and `rc`. */
export const DISTRACTORS: readonly Noun[] = [
  ...nouns(true, 'architect assistant chef dancer driver executive guard minister parent skater'),
  ...nouns(false, 'banker clerk coach/coaches editor janitor judge manager reporter surgeon tourist'),
];

/** Prepositions of `nounpp`; the first three are the canonical ones. */
export const PREPOSITIONS: readonly string[] = [
  'near',
  'behind',
  'beside',
  'under',
  'above',
  'by',
  'outside',
  'inside',
];
export const CANONICAL_PREPOSITIONS: readonly string[] = ['near', 'behind', 'beside'];

/** Transitive verbs closing the relative clause in `rc` (agreeing with the distractor). */
export const RC_VERBS: readonly VerbPair[] = verbs(
  'likes/like hates/hate loves/love knows/know admires/admire meets/meet trusts/trust helps/help sees/see calls/call visits/visit watches/watch misses/miss finds/find',
);

/** Verbs whose number is the answer in every template (answers get a leading space). */
export const ANSWER_VERBS: readonly VerbPair[] = verbs('is/are has/have does/do goes/go runs/run');

/**
 * Verbs used as main verbs in the corpus, with continuations. `gap` continuations complete a relative clause whose
 * object is the head noun ("The boy that the chefs [have] met ..."); `rest` continuations end a main clause.
 */
export interface CorpusVerb extends VerbPair {
  rest: readonly string[];
  gap: readonly string[];
}

export const CORPUS_VERBS: readonly CorpusVerb[] = [
  {
    sg: 'is',
    pl: 'are',
    rest: [
      'happy',
      'tired',
      'here',
      'ready',
      'late',
      'busy',
      'at home',
      'very kind',
      'in the garden',
      'outside',
      'asleep',
      'hungry',
      'right',
      'sick',
      'old',
      'young',
      'nice',
      'at work',
    ],
    gap: ['watching', 'helping', 'meeting', 'calling', 'talking to', 'looking at', 'waiting for', 'thinking of'],
  },
  {
    sg: 'has',
    pl: 'have',
    rest: [
      'a dog',
      'a car',
      'two cats',
      'many friends',
      'a big house',
      'no time',
      'a red bike',
      'some books',
      'a plan',
      'three kids',
      'a small garden',
      'a new job',
    ],
    gap: ['met', 'seen', 'called', 'helped', 'hired', 'known', 'visited', 'trusted'],
  },
  {
    sg: 'does',
    pl: 'do',
    rest: ['the work', 'the dishes', 'it every day', 'the same thing', 'a good job', 'well', 'not know', 'not care'],
    gap: ['not like', 'not know', 'not trust', 'not see', 'not want', 'not need'],
  },
  {
    sg: 'goes',
    pl: 'go',
    rest: [
      'home',
      'to school',
      'to work',
      'to the park',
      'there every day',
      'out at night',
      'to bed early',
      'to the store',
    ],
    gap: ['to', 'with', 'out with', 'home with', 'after'],
  },
  {
    sg: 'runs',
    pl: 'run',
    rest: ['fast', 'every morning', 'home', 'to the store', 'a small shop', 'in the park', 'away', 'slowly'],
    gap: ['to', 'with', 'after', 'from', 'toward'],
  },
  {
    sg: 'was',
    pl: 'were',
    rest: ['here yesterday', 'happy', 'at home', 'late', 'tired', 'in the car', 'very quiet', 'right'],
    gap: ['with', 'talking to', 'watching', 'helping', 'near'],
  },
  { sg: 'walks', pl: 'walk', rest: ['home', 'to work', 'in the park', 'slowly', 'every day'], gap: ['with', 'to'] },
  { sg: 'works', pl: 'work', rest: ['hard', 'at home', 'every day', 'in the city', 'late'], gap: ['with', 'for'] },
  {
    sg: 'lives',
    pl: 'live',
    rest: ['here', 'in the city', 'near the park', 'alone', 'far away'],
    gap: ['with', 'near'],
  },
  { sg: 'likes', pl: 'like', rest: ['the dog', 'music', 'the city', 'to sing', 'the rain', 'cats'], gap: [''] },
  { sg: 'wants', pl: 'want', rest: ['a dog', 'to go home', 'more time', 'the car', 'to sleep'], gap: ['to see', ''] },
  { sg: 'knows', pl: 'know', rest: ['the way', 'the answer', 'the town', 'a lot'], gap: [''] },
  { sg: 'sings', pl: 'sing', rest: ['well', 'at night', 'a song', 'every day'], gap: ['to', 'with'] },
  { sg: 'sleeps', pl: 'sleep', rest: ['well', 'at night', 'in the car', 'late'], gap: ['near', 'with'] },
  { sg: 'plays', pl: 'play', rest: ['outside', 'in the park', 'the piano', 'with the dog'], gap: ['with'] },
  { sg: 'needs', pl: 'need', rest: ['help', 'a car', 'more time', 'a new bike'], gap: [''] },
  { sg: 'eats', pl: 'eat', rest: ['bread', 'an apple', 'at home', 'late', 'fish'], gap: ['with'] },
  { sg: 'reads', pl: 'read', rest: ['a book', 'the news', 'every night', 'a lot'], gap: ['to'] },
];

export const ADJECTIVES: readonly string[] = [
  'old',
  'young',
  'tall',
  'small',
  'big',
  'happy',
  'tired',
  'kind',
  'new',
  'quiet',
  'busy',
  'little',
  'good',
  'brave',
  'red',
  'nice',
];

/** Adverbs that go between a subject and its verb. */
export const ADVERBS: readonly string[] = [
  'often',
  'always',
  'never',
  'usually',
  'sometimes',
  'also',
  'still',
  'rarely',
];

export const NAMES: readonly string[] = ['Anna', 'Ben', 'Maria', 'Tom', 'Sara', 'Leo', 'Mia', 'Sam'];

/** Number words for plural counts (digits are used too). */
export const NUMBER_WORDS: readonly string[] = ['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'ten'];

/** Food and things for lists. */
export const THINGS: readonly string[] = [
  'apples',
  'bread',
  'milk',
  'eggs',
  'rice',
  'fish',
  'tea',
  'books',
  'pens',
  'paper',
  'flowers',
  'music',
];

export const TIMES: readonly string[] = ['today', 'yesterday', 'at night', 'in the morning', 'every day', 'now'];

/** "a" or "an" for a word. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
