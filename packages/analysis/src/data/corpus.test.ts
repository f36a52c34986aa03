import { describe, expect, it } from 'vitest';
import { generateCorpus } from './corpus.js';
import { ANSWER_VERBS, CORPUS_VERBS, DISTRACTORS, OBJECTS, PREPOSITIONS, SUBJECTS } from './lexicon.js';

const NOUNS = [...SUBJECTS, ...OBJECTS, ...DISTRACTORS];
const nounNumber = new Map<string, string>([
  ...NOUNS.map((n) => [n.sg, 'singular'] as const),
  ...NOUNS.map((n) => [n.pl, 'plural'] as const),
]);
const verbNumber = new Map<string, string>([
  ...CORPUS_VERBS.map((v) => [v.sg, 'singular'] as const),
  ...CORPUS_VERBS.map((v) => [v.pl, 'plural'] as const),
]);
const ANSWER_FORMS = ANSWER_VERBS.flatMap((v) => [v.sg, v.pl]).join('|');

describe('training corpus', () => {
  const text = generateCorpus({ seed: 11, documents: 400 });
  const lines = text.split('\n').filter((l) => l !== '');

  it('is deterministic from the seed', () => {
    expect(generateCorpus({ seed: 11, documents: 400 })).toBe(text);
    expect(generateCorpus({ seed: 12, documents: 400 })).not.toBe(text);
    expect(generateCorpus({ seed: 11, documents: 40 })).toBe(`${text.split('\n\n').slice(0, 40).join('\n\n')}\n`);
  });

  it('is ASCII sentences on lines, documents separated by one blank line', () => {
    expect(text).toMatch(/^[\x20-\x7e\n]+$/);
    expect(text).not.toMatch(/\n\n\n| \n|\n | {2}/);
    expect(text.split('\n\n')).toHaveLength(400);
    for (const l of lines) expect(l).toMatch(/^[A-Z0-9].*[.?!]$/);
  });

  it('mixes agreement templates with varied filler', () => {
    const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
    const prep = PREPOSITIONS.join('|');
    expect(count(new RegExp(`^The \\w+ (${prep}) the \\w+ \\w+`))).toBeGreaterThan(50); // nounpp
    expect(count(/^The \w+ that the \w+ \w+/)).toBeGreaterThan(100); // within_rc and rc
    expect(count(/\?$/)).toBeGreaterThan(20); // questions
    expect(count(/, and /)).toBeGreaterThan(10); // lists
    expect(count(/ \d+ /)).toBeGreaterThan(10); // numbers
    expect(count(/^(I|You|He|She|It|We|They) /)).toBeGreaterThan(20); // pronouns
    expect(count(/ (and|but|so|while|because) the /)).toBeGreaterThan(10); // conjunctions
    expect(count(/ (often|always|never|usually|sometimes|also|still|rarely) /)).toBeGreaterThan(10); // adverbs
    expect(new Set(text.split(/\W+/)).size).toBeGreaterThan(300);
  });

  it('has correct agreement in the template sentences, both numbers of each noun', () => {
    const seen = new Set<string>();
    const check = (noun: string | undefined, verb: string | undefined, line: string) => {
      expect(nounNumber.get(noun!), line).toBeDefined();
      expect(verbNumber.get(verb!), line).toBe(nounNumber.get(noun!));
      seen.add(nounNumber.get(noun!)!);
    };
    const prep = PREPOSITIONS.join('|');
    let checked = 0;
    for (const l of lines) {
      let m = new RegExp(`^The (\\w+) (?:${prep}) the \\w+ (${ANSWER_FORMS}) `).exec(l);
      if (m) check(m[1], m[2], l);
      m = new RegExp(`^The (\\w+) that the (\\w+) (${ANSWER_FORMS}) `).exec(l);
      if (m) check(m[2], m[3], l); // within_rc: the RC verb agrees with the RC's subject
      m = /^The (\w+) that the (\w+) (\w+) (\w+) /.exec(l);
      if (m && verbNumber.has(m[3]!) && !m[3]!.match(/^(is|are|has|have|does|do|was|were)$/)) {
        // rc ("The boy that the chefs like is ..."): the main verb agrees with the head noun.
        if (verbNumber.has(m[4]!)) check(m[1], m[4], l);
      }
      if (m) checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect([...seen].sort()).toEqual(['plural', 'singular']);
  });
});
