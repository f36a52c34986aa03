import { CIRCUIT_METHODS } from '@workbench/analysis';
import { describe, expect, it } from 'vitest';
import { toyContent, trainToy } from './learn';
import { type CircuitMethod, describeMethod, describeMetric } from './quality';

describe('the Quality panel’s method sentence (describeMethod)', () => {
  it('calls the toy circuit what it is: activation × weight, not patching', () => {
    // The circuit /learn and /learn/circuit?c=toy-* open, as the page builds it.
    const { method } = toyContent(trainToy(), 'singular').graph as { method?: CircuitMethod };
    expect(method?.kind).toBe('linear');
    const text = describeMethod(method);
    expect(text).toMatch(/^exact linear decomposition/);
    expect(text).toContain('activation × the weight');
    expect(text).not.toMatch(/activation patching|attribution patching/);
  });

  it('names the metric the circuit records: the toy’s two verb forms, a pair’s answers, a direction', () => {
    const { graph } = toyContent(trainToy(), 'plural');
    const { method, nodes } = graph as { method?: CircuitMethod; nodes: { kind?: string; feature?: number }[] };
    expect(describeMetric(method, nodes)).toBe('logit of “run” minus that of “runs”, at the last token');
    expect(describeMetric({ metric: { kind: 'tokens', answer: 7, wrong: 3 } })).toBe(
      'logit of token 7 minus that of token 3, at the last token',
    );
    expect(describeMetric({ kind: 'ig', metric: { kind: 'pair' } })).toBe(
      "logit of the patched answer minus the clean answer's, at the last token",
    );
    expect(describeMetric({ kind: 'ig', metric: { kind: 'direction' } })).toMatch(/along a given direction/);
  });

  it('describes every method a circuit file can record, each differently', () => {
    const texts = CIRCUIT_METHODS.map((kind) => describeMethod({ kind, steps: 4, aggregation: 'position' }));
    for (const [i, text] of texts.entries()) expect(text, CIRCUIT_METHODS[i]).not.toMatch(/does not describe/);
    expect(new Set(texts).size).toBe(texts.length);
    expect(describeMethod({ kind: 'ig', steps: 4, aggregation: 'sum' })).toMatch(
      /^integrated gradients, 4 steps: .*, summed over positions; edges: .*integrated gradient/,
    );
    expect(describeMethod({ kind: 'exact', aggregation: 'position' })).toMatch(
      /^exact activation patching: the model rerun .*per token position/,
    );
    expect(describeMethod({ kind: 'atp' })).toMatch(/^attribution patching: .*clean run's gradient/);
  });

  it('names a method it does not know instead of guessing', () => {
    expect(describeMethod({ kind: 'mystery' })).toBe('“mystery” (a method this app does not describe)');
    expect(describeMethod(undefined)).toBe('“none recorded” (a method this app does not describe)');
  });
});
