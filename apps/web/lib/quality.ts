/**
 * What a circuit's scores mean, in words (Marks et al. 2024): faithfulness is the share of the model's metric that
 * the circuit's nodes recover on their own, everything else mean-ablated, (m(C) - m(∅)) / (m(M) - m(∅)); completeness
 * is the share the model keeps with the circuit's nodes ablated instead, (m(M \ C) - m(∅)) / (m(M) - m(∅)). A good
 * circuit has faithfulness near 1 and completeness near 0.
 */

/** Below this faithfulness a circuit gets a warning: its nodes do not reproduce the behaviour. */
export const LOW_FAITHFULNESS = 0.5;

const percent = (value: number) => `${Math.round(value * 100)}%`;

export function describeFaithfulness(faithfulness: number): string {
  return `on their own, these nodes recover ${percent(faithfulness)} of the model's metric`;
}

export function describeCompleteness(completeness: number): string {
  return `with them removed, the model keeps ${percent(completeness)} of it`;
}

/** One sentence for a scored node set. */
export function describeScores(scores: { faithfulness: number; completeness: number }): string {
  const sentence = `${describeFaithfulness(scores.faithfulness)}; ${describeCompleteness(scores.completeness)}.`;
  return sentence[0]!.toUpperCase() + sentence.slice(1);
}

/** What to try when a circuit's faithfulness is low, given how it was computed. */
export function lowFaithfulnessAdvice(method: { kind?: string; steps?: number } | undefined, pairs: number): string[] {
  const advice: string[] = [];
  if (method?.kind === 'atp')
    advice.push(
      'recompute with integrated gradients: attribution patching is a one-step linear estimate that misjudges nodes whose effect is not linear',
    );
  else if (method?.kind === 'exact')
    advice.push(
      'recompute with integrated gradients: exact patching scores each node alone, so nodes that matter only together rank low',
    );
  else if ((method?.steps ?? 10) < 10) advice.push('use more integrated-gradient steps (10 or more)');
  if (pairs < 20) advice.push(`use more prompt pairs (this circuit has ${pairs})`);
  advice.push('lower the node threshold, so the circuit keeps more nodes');
  return advice;
}
