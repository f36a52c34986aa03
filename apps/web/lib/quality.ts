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

/** How a circuit file records its computation (its `method`), as far as the Quality panel reads it. */
export interface CircuitMethod {
  kind?: string;
  steps?: number;
  aggregation?: string;
  metric?: { kind?: string; answer?: number; wrong?: number };
}

/**
 * What the circuit's metric is, from the metric its method records (packages/analysis circuits/discover.ts): the
 * pair's logit difference by default, two fixed tokens' (named by the graph's output nodes when it has them, as
 * the toy's), or a direction in the final residual stream.
 */
export function describeMetric(
  method: CircuitMethod | undefined,
  nodes: readonly { kind?: string; feature?: number | null; label?: string }[] = [],
): string {
  const metric = method?.metric;
  if (metric?.kind === 'tokens') {
    const token = (id: number | undefined) => {
      const label = nodes.find((n) => n.kind === 'output' && n.feature === id)?.label;
      return label ? `“${label.trim()}”` : `token ${id ?? '?'}`;
    };
    return `logit of ${token(metric.answer)} minus that of ${token(metric.wrong)}, at the last token`;
  }
  if (metric?.kind === 'direction') return 'the last residual stream at the last token, along a given direction';
  return "logit of the patched answer minus the clean answer's, at the last token";
}

// The GPT-2 circuits' edges (packages/analysis circuits/discover.ts) are one linear estimate whatever the node
// method: the downstream node's gradient, through the sublayer's Jacobian at the clean input, times the upstream
// node's change from clean to patched.
const pairEdges = (gradient: string) =>
  `edges: the downstream node's ${gradient} gradient × the upstream node's change, a linear estimate`;

/**
 * How the circuit's node effects and edge weights were computed, in words, from the method its file records (as
 * packages/analysis computes each: circuits/discover.ts and exact.ts for prompt pairs, toy.ts, graphs/).
 */
export function describeMethod(method: CircuitMethod | undefined): string {
  const where = method?.aggregation === 'sum' ? 'summed over positions' : 'per token position';
  switch (method?.kind) {
    case 'ig':
      return `integrated gradients, ${method.steps ?? '?'} steps: each node's change from clean to patched × the metric's gradient averaged from one to the other, ${where}; ${pairEdges('integrated')}`;
    case 'atp':
      return `attribution patching: each node's change from clean to patched × the clean run's gradient (one-step linear estimate), ${where}; ${pairEdges("clean run's")}`;
    case 'exact':
      return `exact activation patching: the model rerun with each node alone set to its patched value, ${where}; ${pairEdges("clean run's")} (as attribution patching's)`;
    case 'linear':
      return "exact linear decomposition of one input, no patching: each edge is its source's activation × the weight into its target, each node's effect its activation × its weight into the metric (the ReLUs' on/off pattern as on this input)";
    case 'graph':
      return 'attribution graph of one prompt (MLPs replaced by transcoders, attention and LayerNorm frozen: every edge is an exact direct effect)';
    default:
      return `“${method?.kind ?? 'none recorded'}” (a method this app does not describe)`;
  }
}
