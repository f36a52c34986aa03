import { describe, expect, it } from 'vitest';
import { typedWords, unknownWords } from './vocabulary';

// A word-level vocabulary as the API gives it: words as typed, with the space before them.
const vocabulary = new Set(['The', ' girls', ' boys', ' are', ' near', ',', '!']);

describe('unknownWords: the words a word-level vocabulary lacks, counted from the text', () => {
  it('counts neighbouring unknown words separately (the tokenizer fuses them into one [UNK])', () => {
    expect(unknownWords('The zyxwv qqq', vocabulary)).toEqual([' zyxwv', ' qqq']);
  });

  it('ignores extra spaces and known punctuation, and respects case and position', () => {
    expect(unknownWords('The boys  near', vocabulary)).toEqual([]);
    expect(unknownWords('The girls, zzz!', vocabulary)).toEqual([' zzz']);
    // Only " girls" (after a space) is a word; at the start, and capitalised mid-sentence, they are not.
    expect(unknownWords('girls The', vocabulary)).toEqual(['girls', ' The']);
    expect(unknownWords('The girls are', vocabulary)).toEqual([]);
  });

  it('lists each word once as typed', () => {
    expect(typedWords(['The', ' The', ' girls', '\n', ','])).toEqual(['The', 'girls', ',']);
  });
});
