'use client';

import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { ABLATE_SELECTION, type AblationMode, type AblationResult } from '../../lib/operations';
import { Dialog } from '../Dialog';
import { SaveAblationEvidence } from '../Evidence';
import { jobFinished, useJob } from '../JobProgress';

const MODES: { mode: AblationMode; label: string; title: string }[] = [
  {
    mode: 'mean',
    label: 'ablate (mean)',
    title: "Set the nodes to their per-position means over the circuit's patch prompts, as its evaluation does",
  },
  { mode: 'zero', label: 'ablate (zero)', title: 'Set the nodes to zero' },
  { mode: 'patch', label: 'patch', title: "Set the nodes to their values on each pair's patched prompt" },
];

/**
 * Ablating or patching the selected nodes (a supernode counts as its members) on the circuit's prompt pairs, all
 * else kept: a job on the server; the metric per pair before and after, and the mean, open in a dialog.
 */
export function AblateSelection(props: {
  circuitId: string;
  version: number;
  nodeIds: string[];
  unavailable?: string | null;
  canComment: boolean;
}) {
  const [mode, setMode] = useState<AblationMode>('mean');
  const [start, starting] = useMutation(ABLATE_SELECTION);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const job = useJob(jobId, (update) => {
    if (update.status === 'FAILED') setError(update.error ?? 'the ablation failed');
    if (update.status === 'SUCCEEDED') setOpen(true);
  });
  const result = job?.status === 'SUCCEEDED' ? (job.result as unknown as AblationResult) : null;
  const running = Boolean(jobId) && !jobFinished(job);
  const label = MODES.find((m) => m.mode === mode)!;
  return (
    <span className="row" data-testid="ablate-selection">
      <select
        aria-label="Intervention"
        value={mode}
        title={label.title}
        onChange={(event) => setMode(event.target.value as AblationMode)}
      >
        {MODES.map((m) => (
          <option key={m.mode} value={m.mode} title={m.title}>
            {m.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="secondary small"
        disabled={Boolean(props.unavailable) || !props.nodeIds.length || running || starting.loading}
        title={props.unavailable ?? `${label.title}, on the circuit's prompt pairs`}
        onClick={async () => {
          setError(null);
          try {
            const started = await start({
              variables: { circuitId: props.circuitId, version: props.version, nodeIds: props.nodeIds, mode },
            });
            setJobId(started.data?.ablateSelection.id ?? null);
          } catch (caught) {
            setError(errorMessage(caught));
          }
        }}
      >
        {running ? `Running… ${job ? `${job.percent.toFixed(0)}%` : ''}` : 'Run on pairs'}
      </button>
      {result && (
        <button type="button" className="secondary small" onClick={() => setOpen(true)} data-testid="ablation-summary">
          metric {result.meanBefore.toFixed(2)} → {result.meanAfter.toFixed(2)}
        </button>
      )}
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
      {result && (
        <Dialog open={open} title="Intervention on the prompt pairs" onClose={() => setOpen(false)} wide>
          <AblationTable result={result} />
          {jobId && (
            <SaveAblationEvidence
              circuitId={props.circuitId}
              version={props.version}
              jobId={jobId}
              canComment={props.canComment}
            />
          )}
        </Dialog>
      )}
    </span>
  );
}

/** Three decimals, without a "-0.000" for a change that rounds to nothing. */
const metric = (x: number) => (Math.abs(x) < 5e-4 ? 0 : x).toFixed(3);

function AblationTable({ result }: { result: AblationResult }) {
  const what = MODES.find((m) => m.mode === result.mode)!;
  return (
    <div className="stack" data-testid="ablation-result">
      <p className="small">
        {what.label}: {result.nodes} node{result.nodes === 1 ? '' : 's'} ({what.title.toLowerCase()}); every other node
        kept. The metric is logit(patch answer) − logit(clean answer) on the clean prompt.
      </p>
      <div style={{ maxHeight: '60vh', overflowY: 'auto' }}>
        <table className="small">
          <thead>
            <tr>
              <th>clean prompt</th>
              <th>answers (clean / patch)</th>
              <th>before</th>
              <th>after</th>
              <th>change</th>
            </tr>
          </thead>
          <tbody>
            {result.pairs.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: pairs may repeat; their order is their identity
              <tr key={i}>
                <td>{p.clean}</td>
                <td>
                  <code>{JSON.stringify(p.cleanAnswer)}</code> / <code>{JSON.stringify(p.patchAnswer)}</code>
                </td>
                <td>{metric(p.before)}</td>
                <td>{metric(p.after)}</td>
                <td>{metric(p.after - p.before)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="ablation-mean">
              <th>mean of {result.pairs.length} pairs</th>
              <th />
              <th>{metric(result.meanBefore)}</th>
              <th>{metric(result.meanAfter)}</th>
              <th>{metric(result.meanAfter - result.meanBefore)}</th>
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}
