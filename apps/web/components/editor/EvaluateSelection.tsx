'use client';

import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { EVALUATE_SELECTION } from '../../lib/operations';
import { describeScores } from '../../lib/quality';
import { jobFinished, useJob } from '../JobProgress';
import { SignInLink } from '../SignInLink';
import { useMe } from '../TopBar';
import { AblateSelection } from './AblateSelection';

/**
 * Faithfulness of the chosen nodes: the server mean-ablates every other node of the model and reruns the pairs the
 * circuit was computed from (a job; seconds on the demo model). `unavailable`: why it cannot run here (a graph made
 * with a model or SAEs this workbench does not have); the button is then disabled and says so. Beside it, ablating or
 * patching the same nodes on those pairs (AblateSelection). Both start jobs, which the API runs only for someone signed
 * in (a public circuit or a share link lets a signed-out visitor view, not run the model): signed out, a sign-in link.
 */
export function EvaluateSelection(props: {
  circuitId: string;
  version: number;
  nodeIds: string[];
  unavailable?: string | null;
  /** circuit.can.comment: whether an ablation's result may be saved as evidence. */
  canComment: boolean;
}) {
  const [start, starting] = useMutation(EVALUATE_SELECTION);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(jobId, (update) => {
    if (update.status === 'FAILED') setError(update.error ?? 'the evaluation failed');
  });
  const result =
    job?.status === 'SUCCEEDED' ? (job.result as { faithfulness: number; completeness: number; nodes: number }) : null;
  const running = Boolean(jobId) && !jobFinished(job);
  const { me, loading: meLoading } = useMe();
  if (meLoading) return null;
  // Where the model cannot run at all, the disabled buttons say why; a sign-in would not change that.
  if (!me && !props.unavailable) {
    return (
      <span className="small muted" data-testid="evaluate-selection">
        <SignInLink>Sign in to evaluate or ablate the selection</SignInLink>
      </span>
    );
  }
  return (
    <>
      <span className="row" data-testid="evaluate-selection" title={props.unavailable ?? undefined}>
        <button
          type="button"
          className="secondary small"
          disabled={Boolean(props.unavailable) || !props.nodeIds.length || running || starting.loading}
          title={
            props.unavailable ?? 'Faithfulness and completeness of the selected nodes (everything else mean-ablated)'
          }
          onClick={async () => {
            setError(null);
            try {
              const started = await start({
                variables: { circuitId: props.circuitId, version: props.version, nodeIds: props.nodeIds },
              });
              setJobId(started.data?.evaluateSelection.id ?? null);
            } catch (caught) {
              setError(errorMessage(caught));
            }
          }}
        >
          {running ? `Evaluating… ${job ? `${job.percent.toFixed(0)}%` : ''}` : 'Evaluate selection'}
        </button>
        {result && (
          <>
            <span className="muted small" data-testid="evaluation-result" title={describeScores(result)}>
              {result.nodes} nodes: faithfulness {result.faithfulness.toFixed(3)}, completeness{' '}
              {result.completeness.toFixed(3)}
            </span>
            <span className="small" data-testid="evaluation-explanation">
              {describeScores(result)}
            </span>
          </>
        )}
        {error && (
          <span className="error small" role="alert">
            {error}
          </span>
        )}
      </span>
      <AblateSelection {...props} />
    </>
  );
}
