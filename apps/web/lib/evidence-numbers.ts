import type { AblationResult, SteeringResult, SteeringRun } from './intervention-operations';

/** A number as evidence shows it: three decimals, no "-0.000"; '–' when there is none. */
export const fixed = (x: number | null | undefined) =>
  typeof x === 'number' ? (Math.abs(x) < 5e-4 ? 0 : x).toFixed(3) : '–';

/** What of a steering result its numbers are read from. */
type RunNumbers = Pick<SteeringRun, 'logitDiff' | 'topTokens'>;
interface SteeringNumbersOf {
  compareTokens: SteeringResult['compareTokens'];
  unsteered: RunNumbers;
  steered: RunNumbers;
  frozen: RunNumbers | null;
}

/** What a steering run's numbers measure, as the text before them. */
export function steeringMeasure(result: Pick<SteeringResult, 'compareTokens'>): string {
  const compare = result.compareTokens;
  // A run without compare tokens has no logit difference: its most likely next token stands in for it.
  return compare ? `logit(“${compare[0]}”) − logit(“${compare[1]}”): ` : 'no comparison tokens; top next token: ';
}

/**
 * The numbers a steering run is judged by, as one line: before → after steering (and with attention frozen): the
 * compare tokens' logit difference, or without them the top next token (a logit difference would read "– → –").
 */
export function steeringNumbers(result: SteeringNumbersOf): string {
  const shown = (run: RunNumbers) => {
    if (result.compareTokens) return fixed(run.logitDiff);
    const top = run.topTokens[0];
    return top ? `“${top.token}”` : 'none';
  };
  const frozen = result.frozen ? ` (attention frozen: ${shown(result.frozen)})` : '';
  return `${shown(result.unsteered)} → ${shown(result.steered)}${frozen}`;
}

/** An ablation's mean metric before → after. */
export const ablationNumbers = (result: Pick<AblationResult, 'meanBefore' | 'meanAfter'>) =>
  `${fixed(result.meanBefore)} → ${fixed(result.meanAfter)}`;
