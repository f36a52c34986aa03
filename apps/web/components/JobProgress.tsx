'use client';

import { useSubscription } from '@apollo/client/react';
import { formatEta } from '../lib/eta';
import type * as Ops from '../lib/generated/graphql';
import { JOB_PROGRESS } from '../lib/operations';

/** Subscription.jobProgress as JOB_PROGRESS reads it. */
export type JobState = Ops.JobProgressSubscription['jobProgress'];

export const jobFinished = (job: JobState | undefined) =>
  Boolean(job && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status));

/** Follows a background job over the jobProgress subscription; `onChange` hears every update. */
export function useJob(jobId: string | null, onChange?: (job: JobState) => void): JobState | undefined {
  const progress = useSubscription(JOB_PROGRESS, {
    variables: { id: jobId ?? '' },
    skip: !jobId,
    onData: ({ data }) => {
      if (data.data) onChange?.(data.data.jobProgress);
    },
  });
  return progress.data?.jobProgress;
}

/** A progress bar with the job's stage, percent and ETA. */
export function JobProgressBar({ job, label }: { job: JobState | undefined; label: string }) {
  return (
    <div className="stack" aria-live="polite">
      <progress max={100} value={job?.percent ?? 0} aria-label={label} />
      <span className="muted small">
        {job ? `${job.stage} · ${job.percent.toFixed(0)}%` : 'queued'}
        {job && formatEta(job.etaSeconds) ? ` · ${formatEta(job.etaSeconds)}` : ''}
      </span>
    </div>
  );
}
