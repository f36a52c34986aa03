import { describe, expect, it } from 'vitest';
import { describeDetection, describeLabelSource, isMachineDraft } from './label-source';

const llm = (detection: unknown) => JSON.stringify({ format: 'LLM', model: 'gpt-4o-mini', detection });

describe('label sources as a labeler reads them', () => {
  it('says who or what wrote a label', () => {
    expect(describeLabelSource(null)).toBeNull();
    expect(describeLabelSource(llm({ score: 0.8 }))).toBe('machine-written by gpt-4o-mini (a draft)');
    expect(describeLabelSource(JSON.stringify({ format: 'TOKEN_PATTERN' }))).toBe(
      'machine-written from the token pattern (a draft, no language model)',
    );
    expect(
      describeLabelSource(JSON.stringify({ format: 'NEURONPEDIA', explanationModelName: 'gpt-4o', line: 3 })),
    ).toBe('imported from Neuronpedia (explained by gpt-4o), line 3');
    expect(describeLabelSource(JSON.stringify({ format: 'CSV', line: 4 }))).toBe('imported from a CSV file, line 4');
    expect(isMachineDraft(llm({}))).toBe(true);
    expect(isMachineDraft(JSON.stringify({ format: 'WORKBENCH' }))).toBe(false);
  });

  it('gives an LLM draft its detection score with what it means, and says why other drafts have none', () => {
    expect(describeDetection(llm({ score: 0.8333, examples: 10 }))).toEqual({
      score: 'detection 0.83',
      explanation:
        'balanced accuracy of the model picking, from the label alone, which of 10 held-out contexts (half activating) ' +
        'the feature fires on: 1 is perfect, 0.5 is chance',
    });
    expect(describeDetection(llm({ score: 1, examples: 6 }), 2)?.explanation).toMatch(
      /; measured on the first revision$/,
    );
    expect(describeDetection(llm({ error: 'the endpoint answered 500' }))).toEqual({
      score: null,
      explanation: 'no detection score: the endpoint answered 500',
    });
    expect(describeDetection(JSON.stringify({ format: 'TOKEN_PATTERN' }))?.explanation).toMatch(
      /^no detection score: scoring asks a language model/,
    );
    expect(describeDetection(JSON.stringify({ format: 'FEATURE_CIRCUITS' }))).toBeNull();
    expect(describeDetection(null)).toBeNull();
  });
});
