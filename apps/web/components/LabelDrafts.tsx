'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { DRAFT_FROM_TOKEN_PATTERN, EXPLAIN_FEATURES, LABEL_DRAFTING } from '../lib/draft-operations';
import { errorMessage } from '../lib/errors';
import type { FeatureKey } from '../lib/graph';
import { JobProgressBar, jobFinished, useJob } from './JobProgress';

/** A finished explain job's one-sentence outcome (its result's summary), or its error. */
export function jobOutcome(job: ReturnType<typeof useJob>): string | null {
  if (!job || !jobFinished(job)) return null;
  if (job.status === 'FAILED') return `The draft failed: ${job.error ?? 'unknown error'}`;
  if (job.status === 'CANCELLED') return 'Cancelled.';
  const summary = (job.result as { summary?: unknown } | null)?.summary;
  return typeof summary === 'string' ? summary : 'Done.';
}

/** An explain job's progress bar while it runs, its outcome once finished, and the last mutation's error. */
function DraftJobStatus({
  jobId,
  job,
  label,
  outcomeTestId,
  error,
}: {
  jobId: string | null;
  job: ReturnType<typeof useJob>;
  label: string;
  outcomeTestId: string;
  error: string | null;
}) {
  const outcome = jobOutcome(job);
  return (
    <>
      {jobId && <JobProgressBar job={job} label={label} />}
      {outcome && (
        <p className="small" data-testid={outcomeTestId}>
          {outcome}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/**
 * "Draft a label" on a feature page, for members: with an LLM configured, an explain job (written from the feature's
 * contexts, scored by detection); always, a draft from the token pattern (no LLM). Drafts arrive in the label list
 * as proposed labels marked machine-written.
 */
export function LabelDrafts({ feature, team }: { feature: FeatureKey; team: { id: string; name: string } }) {
  const settings = useQuery(LABEL_DRAFTING);
  const [explain, explaining] = useMutation(EXPLAIN_FEATURES);
  const [pattern, patterning] = useMutation(DRAFT_FROM_TOKEN_PATTERN);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(jobId);
  const llm = settings.data?.labelDrafting;
  const vars = { teamId: team.id, model: feature.modelId, sae: feature.saeId, featureIndex: feature.featureIndex };
  const running = Boolean(jobId && !jobFinished(job));

  async function startExplain() {
    setError(null);
    try {
      const { data } = await explain({ variables: vars });
      setJobId(data?.explainFeatures.id ?? null);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  async function draftPattern() {
    setError(null);
    try {
      await pattern({ variables: vars });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  if (!llm) return null;
  return (
    <section className="stack" aria-label="Draft a label" data-testid="label-drafts">
      <h3 className="section-title">Draft a label</h3>
      <div className="row wrap">
        {llm.llmConfigured && (
          <button type="button" onClick={startExplain} disabled={explaining.loading || running}>
            Explain with {llm.model}
          </button>
        )}
        <button type="button" className="secondary" onClick={draftPattern} disabled={patterning.loading}>
          Draft from token pattern
        </button>
      </div>
      <p className="muted small">
        {llm.llmConfigured
          ? `Explaining sends this feature's top and quantile contexts (its dashboard's text, activating tokens marked) to ${llm.endpoint}: one request writes the label, a second scores it on held-out contexts. `
          : 'No language model is configured here (LLM_BASE_URL), so nothing leaves the server. '}
        A token-pattern draft names the tokens the feature fires on and promotes; it has no detection score. Drafts are
        proposed to {team.name} in your name, marked machine-written: read them, edit and vote as for any label.
      </p>
      <DraftJobStatus
        jobId={jobId}
        job={job}
        label="Explaining this feature"
        outcomeTestId="draft-outcome"
        error={error}
      />
    </section>
  );
}

/**
 * "Draft labels for this SAE" on an SAE page, for members: one explain job over every feature its dashboards show
 * firing (features the team already has such a draft of are skipped), at most `maxRequests` requests to the LLM,
 * with live progress: features done, requests made, rate and time left.
 */
export function SaeDrafts({
  modelId,
  saeId,
  team,
  onDone,
}: {
  modelId: string;
  saeId: string;
  team: { id: string; name: string };
  /** When the job ends: the page shows the new drafts and coverage. */
  onDone?: () => void;
}) {
  const settings = useQuery(LABEL_DRAFTING);
  const [explain, explaining] = useMutation(EXPLAIN_FEATURES);
  const [jobId, setJobId] = useState<string | null>(null);
  const [maxRequests, setMaxRequests] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const job = useJob(jobId, (update) => {
    if (jobFinished(update)) onDone?.();
  });
  const llm = settings.data?.labelDrafting;
  if (!llm) return null;
  const running = Boolean(jobId && !jobFinished(job));

  async function start() {
    setError(null);
    try {
      const cap = maxRequests.trim() ? Number(maxRequests) : undefined;
      const { data } = await explain({ variables: { teamId: team.id, model: modelId, sae: saeId, maxRequests: cap } });
      setJobId(data?.explainFeatures.id ?? null);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <div className="stack" data-testid="sae-drafts">
      <div className="row wrap">
        <button type="button" onClick={start} disabled={explaining.loading || running}>
          {llm.llmConfigured ? `Draft labels with ${llm.model}` : 'Draft labels from token patterns'}
        </button>
        {llm.llmConfigured && (
          <label className="row small">
            at most
            <input
              type="number"
              min={1}
              max={llm.maxRequestsCap}
              aria-label="Most requests"
              placeholder={String(llm.defaultMaxRequests)}
              value={maxRequests}
              onChange={(event) => setMaxRequests(event.target.value)}
              style={{ width: '6em' }}
            />
            requests (2 per feature; up to {llm.maxRequestsCap.toLocaleString('en-US')})
          </label>
        )}
      </div>
      <p className="muted small">
        {llm.llmConfigured
          ? `Every feature with a dashboard and no draft by ${llm.model} yet in ${team.name}: its contexts go to ${llm.endpoint}. The job stops at the request cap; start it again to go on.`
          : `No language model is configured here (LLM_BASE_URL): each feature gets a token-pattern draft in ${team.name}, and nothing leaves the server.`}
      </p>
      <DraftJobStatus jobId={jobId} job={job} label="Drafting labels" outcomeTestId="sae-draft-outcome" error={error} />
    </div>
  );
}
