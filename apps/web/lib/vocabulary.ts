/** GPT-2's pre-tokenizer: the pieces a byte-level tokenizer looks up, each word with the space before it. */
const PIECES = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * The words of `text` a word-level vocabulary lacks, in order. Counted from the text, not from [UNK] tokens: the
 * tokenizer fuses neighbouring unknown words into one [UNK] ("zyxwv qqq" is one token) and gives extra spaces one too.
 */
export function unknownWords(text: string, vocabulary: ReadonlySet<string>): string[] {
  return (text.match(PIECES) ?? []).filter((piece) => /[\p{L}\p{N}]/u.test(piece) && !vocabulary.has(piece));
}

/** The distinct words as one types them (" girls" and "girls" are one), for listing and counting. */
export function typedWords(vocabulary: readonly string[]): string[] {
  return [...new Set(vocabulary.map((w) => w.trim()).filter(Boolean))];
}
