'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { errorMessage } from '../lib/errors';
import type { FeatureKey } from '../lib/graph';
import { COMPUTE_DASHBOARDS, FEATURE_DASHBOARD } from '../lib/operations';
import { ContextLine, readDashboard } from './ContextLine';
import { JobProgressBar, jobFinished, useJob } from './JobProgress';

/** Tokens whose logits the feature's decoder direction raises (or lowers) most, through the unembedding. */
function LogitTable({ title, logits }: { title: string; logits: { token: string; value: number }[] }) {
  return (
    <div>
      <h3 className="section-title">{title}</h3>
      <table className="small">
        <tbody>
          {logits.map((l) => (
            <tr key={l.token}>
              <td>
                <code>{JSON.stringify(l.token)}</code>
              </td>
              <td className="muted">{l.value.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The activation dashboard of one feature, or a button to compute the SAE's dashboards (with live progress). */
export function FeatureDashboard({ feature }: { feature: FeatureKey }) {
  const query = useQuery(FEATURE_DASHBOARD, {
    variables: { sae: feature.saeId, index: feature.featureIndex },
  });
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [compute, computing] = useMutation(COMPUTE_DASHBOARDS);
  const job = useJob(jobId, (update) => {
    if (update.status === 'SUCCEEDED') void query.refetch();
    if (update.status === 'FAILED') setError(update.error ?? 'the job failed');
  });
  const dashboard = readDashboard(query.data?.featureDashboard);

  if (query.loading) return <p className="muted small">Loading the dashboard…</p>;
  if (query.error) return <p className="error">{errorMessage(query.error)}</p>;

  if (!dashboard) {
    const running = jobId && !jobFinished(job);
    return (
      <div className="stack">
        <p className="muted small">No dashboard yet for this SAE.</p>
        {running ? (
          <JobProgressBar job={job} label="Dashboard progress" />
        ) : query.data?.me ? (
          <button
            type="button"
            disabled={computing.loading}
            onClick={async () => {
              setError(null);
              try {
                const result = await compute({ variables: { model: feature.modelId, sae: feature.saeId } });
                setJobId(result.data?.computeDashboards.id ?? null);
              } catch (caught) {
                setError(errorMessage(caught));
              }
            }}
          >
            Compute dashboards for this SAE
          </button>
        ) : (
          <p className="muted small">Sign in to compute them.</p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }

  const histogram = dashboard.histogram.counts.map((count, i) => ({
    bin: `${dashboard.histogram.edges[i]!.toPrecision(2)}`,
    count,
  }));
  const peak = dashboard.maxActivation;
  return (
    <div className="stack" data-testid="feature-dashboard">
      <p className="muted small" style={{ margin: 0 }}>
        Max activation {peak.toFixed(3)} · fires on {(100 * dashboard.density).toFixed(2)}% of tokens · corpus{' '}
        {dashboard.corpus}
      </p>
      <div className="grid-2">
        <div>
          <h3 className="section-title">Activation density</h3>
          <div style={{ height: 180 }}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={histogram} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="bin" tick={{ fontSize: 10 }} interval={3} />
                <YAxis tick={{ fontSize: 10 }} width={40} />
                <Tooltip />
                <Bar dataKey="count" fill="#3451b2" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
        <div className="grid-2">
          <LogitTable title="Promotes" logits={dashboard.topLogits} />
          <LogitTable title="Suppresses" logits={dashboard.bottomLogits} />
        </div>
      </div>
      <h3 className="section-title">Top activations</h3>
      {dashboard.topContexts.length ? (
        dashboard.topContexts.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: contexts are ranked; rank is their identity
          <ContextLine key={i} context={c} peak={peak} />
        ))
      ) : (
        <p className="muted small">This feature never fired on the corpus.</p>
      )}
      {dashboard.quantiles.length > 0 && (
        <details>
          <summary>Examples by activation quantile</summary>
          {[...dashboard.quantiles].reverse().map((q) => (
            <div key={`${q.from}-${q.to}`} className="stack" style={{ marginTop: '0.5rem' }}>
              <span className="muted small">
                {q.from.toFixed(3)} – {q.to.toFixed(3)}
              </span>
              {q.contexts.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: examples within a bin have no other identity
                <ContextLine key={i} context={c} peak={peak} />
              ))}
            </div>
          ))}
        </details>
      )}
    </div>
  );
}
