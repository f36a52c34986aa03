/**
 * Word-level vocabulary and a Hugging Face `tokenizer.json` for the demo model.
 *
 * Tokenization scheme (GPT-2's, restricted to whole words):
 * - Pre-tokenization is GPT-2's ByteLevel pre-tokenizer (its regex, no prefix space): a space belongs to the word
 *   after it, and bytes are shown with GPT-2's byte-to-unicode map, so " is" is the piece `Ġis`, a newline is `Ċ`,
 *   "." and "," and "?" are pieces of their own, and the first word of a line has no `Ġ` ("The").
 * - The model is a BPE with `ignore_merges: true` and no merges whose vocabulary is exactly the pieces of our corpus:
 *   every piece found in the vocabulary is one token, so every word is one token and every answer (" is", " are",
 *   " has", ...) is a single token. @huggingface/tokenizers (0.2) has no WordLevel model: a `"type": "WordLevel"`
 *   model falls through to its "Legacy" model, which only maps unknown words to [UNK] when tokenizer_config.json names
 *   the unk token; BPE is a first-class model there and in the Rust library (ignore_merges since 0.19), and behaves as
 *   a word-level model here.
 * - Unknown words: the pieces are split into characters, which are not in the vocabulary (except a few one-letter
 *   words such as "I" and the punctuation), so they become [UNK]; `fuse_unk` makes a run of them one [UNK] (the JS
 *   library fuses across adjacent unknown words too, the Rust one within a word).
 * - Ids: 0 is `<|endoftext|>` (BOS, EOS and padding, like GPT-2's role but at id 0 as in Pythia), 1 is `[UNK]`, then
 *   all other tokens in code-point order. No post-processor adds BOS: the model runner prepends it (see
 *   HookedModel's `prependBos`), as GPT-2 and TransformerLens do.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCorpus } from './corpus.js';
import {
  ADJECTIVES,
  ADVERBS,
  CORPUS_VERBS,
  DISTRACTORS,
  NAMES,
  NUMBER_WORDS,
  OBJECTS,
  PREPOSITIONS,
  RC_VERBS,
  SUBJECTS,
  THINGS,
  TIMES,
} from './lexicon.js';

export const DEMO_EOS_TOKEN = '<|endoftext|>';
export const DEMO_UNK_TOKEN = '[UNK]';
export const DEMO_SPECIAL_TOKENS: readonly string[] = [DEMO_EOS_TOKEN, DEMO_UNK_TOKEN];

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 onwards. */
export const BYTE_TO_UNICODE: readonly string[] = (() => {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(printable(b) ? b : 256 + n++));
  return out;
})();

const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const encoder = new TextEncoder();

/** Splits text into byte-level pieces exactly as the ByteLevel pre-tokenizer does ("The cats are" -> The, Ġcats, Ġare). */
export function byteLevelPreTokenize(text: string): string[] {
  return (text.match(GPT2_PATTERN) ?? []).map((piece) =>
    Array.from(encoder.encode(piece), (b) => BYTE_TO_UNICODE[b]).join(''),
  );
}

/** The token of a word preceded by a space (" is" -> "Ġis"). */
export function spacedToken(word: string): string {
  const pieces = byteLevelPreTokenize(` ${word}`);
  if (pieces.length !== 1) throw new Error(`"${word}" is not one word`);
  return pieces[0]!;
}

/** Every lowercase word of the lexicon (nouns in both numbers, verbs in both forms, continuations, ...). */
export function lexiconWords(): string[] {
  const words = new Set<string>();
  const add = (text: string) => {
    for (const w of text.split(/\s+/)) if (w !== '') words.add(w);
  };
  for (const n of [...SUBJECTS, ...OBJECTS, ...DISTRACTORS]) add(`${n.sg} ${n.pl}`);
  for (const v of [...RC_VERBS, ...CORPUS_VERBS]) add(`${v.sg} ${v.pl}`);
  for (const v of CORPUS_VERBS) for (const t of [...v.rest, ...v.gap]) add(t);
  for (const list of [PREPOSITIONS, ADJECTIVES, ADVERBS, NAMES, NUMBER_WORDS, THINGS, TIMES])
    for (const t of list) add(t);
  add('the a an that');
  return [...words];
}

/**
 * A fixed reference corpus that the vocabulary is read from (seed 0, 4000 documents): every word and sentence start
 * the filler can produce shows up there many times over. The vocabulary therefore does not depend on the seed or size
 * of the training corpus; the tests check that corpora from other seeds have no unknown pieces.
 */
const REFERENCE_CORPUS = { seed: 0, documents: 4000 } as const;

let cachedVocabulary: string[] | undefined;

/**
 * The vocabulary, in id order: `<|endoftext|>` (0), `[UNK]` (1), then every piece of the reference corpus and the
 * spaced form (`Ġword`) of every lexicon word, sorted by code point.
 */
export function corpusVocabulary(): string[] {
  if (cachedVocabulary) return [...cachedVocabulary];
  const pieces = new Set<string>(byteLevelPreTokenize(generateCorpus(REFERENCE_CORPUS)));
  for (const w of lexiconWords()) pieces.add(spacedToken(w));
  for (const s of DEMO_SPECIAL_TOKENS) pieces.delete(s);
  const sorted = [...pieces].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  cachedVocabulary = [...DEMO_SPECIAL_TOKENS, ...sorted];
  return [...cachedVocabulary];
}

/** A Hugging Face tokenizer.json object for the vocabulary (GPT-2 layout, whole-word BPE model). */
export function demoTokenizerJson(vocabulary: readonly string[] = corpusVocabulary()): Record<string, unknown> {
  if (vocabulary[0] !== DEMO_EOS_TOKEN || vocabulary[1] !== DEMO_UNK_TOKEN) {
    throw new Error(`vocabulary must start with ${DEMO_EOS_TOKEN} and ${DEMO_UNK_TOKEN}`);
  }
  const vocab: Record<string, number> = {};
  vocabulary.forEach((t, i) => {
    if (t in vocab) throw new Error(`duplicate token ${JSON.stringify(t)}`);
    vocab[t] = i;
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: DEMO_SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: DEMO_UNK_TOKEN,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: false,
      ignore_merges: true,
      vocab,
      merges: [],
    },
  };
}

/** The matching tokenizer_config.json object. */
export function demoTokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: DEMO_EOS_TOKEN,
    eos_token: DEMO_EOS_TOKEN,
    pad_token: DEMO_EOS_TOKEN,
    unk_token: DEMO_UNK_TOKEN,
    add_prefix_space: false,
    add_bos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: 1024,
  };
}

/** Writes tokenizer.json and tokenizer_config.json into a folder. */
export async function writeDemoTokenizer(
  dir: string,
  vocabulary: readonly string[] = corpusVocabulary(),
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), `${JSON.stringify(demoTokenizerJson(vocabulary), null, 2)}\n`);
  await writeFile(join(dir, 'tokenizer_config.json'), `${JSON.stringify(demoTokenizerConfig(), null, 2)}\n`);
}
