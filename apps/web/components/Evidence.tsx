'use client';

import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { errorMessage } from '../lib/errors';
import { addSavedEvidence } from '../lib/evidence-cache';
import { ablationNumbers, steeringMeasure, steeringNumbers } from '../lib/evidence-numbers';
import {
  CIRCUIT_EVIDENCE,
  type EvidenceRow,
  LABEL_EVIDENCE,
  SAVE_ABLATION_EVIDENCE,
  SAVE_STEERING_EVIDENCE,
} from '../lib/evidence-operations';
import type { FeatureKey } from '../lib/graph';
import {
  ABLATE_SELECTION,
  type AblationResult,
  STEER_FEATURE,
  type SteeringResult,
} from '../lib/intervention-operations';
import { FEATURE_LABELS } from '../lib/operations';
import { formatDate } from './Badges';
import { jobFinished, useJob } from './JobProgress';
import { SignInLink } from './SignInLink';
import { useMe } from './TopBar';

/** steerFeature's arguments as the panel ran them: what a saved run re-runs with. */
export interface SteeringInputs {
  text: string;
  strength: number;
  positions: number[] | null;
  compareTokens: string[] | null;
  continuation: number;
  freezeAttention: boolean;
}

/**
 * Evidence saved on a label or a circuit version: what was run and what it gave, with a re-run that asks the server
 * again from the saved inputs and shows its numbers beside the saved ones.
 */
export function EvidenceList({ evidence }: { evidence: EvidenceRow[] }) {
  if (!evidence.length) return <p className="muted small">No evidence saved yet.</p>;
  return (
    <ul className="plain stack" data-testid="evidence-list">
      {evidence.map((e) => (
        <li key={e.id} className="evidence-row stack" data-testid="evidence">
          {e.kind === 'steer' ? <SteeringEvidence evidence={e} /> : <AblationEvidence evidence={e} />}
          <span className="muted small">
            saved by {e.author?.displayName ?? 'someone'}, {formatDate(e.createdAt)}
          </span>
        </li>
      ))}
    </ul>
  );
}

function SteeringEvidence({ evidence }: { evidence: EvidenceRow }) {
  const client = useApolloClient();
  const inputs = evidence.inputs as unknown as SteeringInputs & { model: string; sae: string; feature: number };
  const saved = evidence.result as unknown as SteeringResult;
  const [rerun, setRerun] = useState<SteeringResult | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const again = async () => {
    setRunning(true);
    setError(null);
    try {
      const { data } = await client.query({
        query: STEER_FEATURE,
        fetchPolicy: 'network-only',
        variables: inputs,
      });
      setRerun(data?.steerFeature ?? null);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setRunning(false);
    }
  };
  return (
    <>
      <span>
        <strong>Steering</strong> {inputs.sae.split('/').pop()} #{inputs.feature} × {inputs.strength} at{' '}
        {inputs.positions ? `position ${inputs.positions.join(', ')}` : 'every position'} on “{inputs.text}”
      </span>
      <span data-testid="evidence-numbers">
        {steeringMeasure(saved)}
        <strong>{steeringNumbers(saved)}</strong>
        {saved.steered.continuationText && (
          <span className="muted"> · continues “{saved.steered.continuationText}”</span>
        )}
      </span>
      <Rerun
        running={running}
        error={error}
        onRerun={again}
        numbers={rerun ? steeringNumbers(rerun) : null}
        same={rerun ? steeringNumbers(rerun) === steeringNumbers(saved) : null}
      />
    </>
  );
}

function AblationEvidence({ evidence }: { evidence: EvidenceRow }) {
  const inputs = evidence.inputs as { circuitId: string; version: number; nodeIds: string[]; mode: string };
  const saved = evidence.result as unknown as AblationResult;
  const [start] = useMutation(ABLATE_SELECTION);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJob(jobId, (update) => {
    if (update.status === 'FAILED') setError(update.error ?? 'the re-run failed');
  });
  const rerun = job?.status === 'SUCCEEDED' ? (job.result as unknown as AblationResult) : null;
  const again = async () => {
    setError(null);
    try {
      const started = await start({ variables: inputs });
      setJobId(started.data?.ablateSelection.id ?? null);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  const mode = inputs.mode === 'patch' ? 'Patching' : `Ablating (${inputs.mode})`;
  return (
    <>
      <span>
        <strong>{mode}</strong> {inputs.nodeIds.length} node{inputs.nodeIds.length === 1 ? '' : 's'} of v
        {inputs.version} on {saved.pairs.length} prompt pairs
      </span>
      <span data-testid="evidence-numbers">
        mean metric: <strong>{ablationNumbers(saved)}</strong>
      </span>
      <Rerun
        running={Boolean(jobId) && !jobFinished(job)}
        error={error}
        onRerun={again}
        numbers={rerun ? ablationNumbers(rerun) : null}
        same={rerun ? ablationNumbers(rerun) === ablationNumbers(saved) : null}
      />
    </>
  );
}

function Rerun(props: {
  running: boolean;
  error: string | null;
  onRerun: () => void;
  numbers: string | null;
  same: boolean | null;
}) {
  return (
    <span className="row small">
      <button
        type="button"
        className="secondary small"
        style={{ whiteSpace: 'nowrap' }}
        disabled={props.running}
        onClick={props.onRerun}
      >
        {props.running ? 'Re-running…' : 'Re-run'}
      </button>
      {props.numbers && (
        <span data-testid="evidence-rerun">
          re-run: <strong>{props.numbers}</strong>{' '}
          <span className={props.same ? 'muted' : 'error'}>
            {props.same ? '(the same numbers)' : '(different numbers)'}
          </span>
        </span>
      )}
      {props.error && (
        <span className="error" role="alert">
          {props.error}
        </span>
      )}
    </span>
  );
}

/** A label's evidence, in its history. */
export function LabelEvidence({ labelId }: { labelId: string }) {
  const query = useQuery(LABEL_EVIDENCE, {
    variables: { id: labelId },
    fetchPolicy: 'cache-and-network',
  });
  return (
    <div className="stack" data-testid="label-evidence">
      <strong className="small">Evidence</strong>
      {query.data ? <EvidenceList evidence={query.data.label.evidence} /> : <p className="muted small">Loading…</p>}
    </div>
  );
}

/** A circuit version's evidence, in the review panel: what reviewers weigh beside the graph. */
export function CircuitEvidence({ slug, version }: { slug: string; version: number }) {
  const query = useQuery(CIRCUIT_EVIDENCE, {
    variables: { slug, version },
    fetchPolicy: 'cache-and-network',
  });
  return (
    <div className="stack" data-testid="circuit-evidence">
      <h3 className="section-title">Evidence on v{version}</h3>
      {query.data ? <EvidenceList evidence={query.data.circuit.evidence} /> : <p className="muted small">Loading…</p>}
    </div>
  );
}

/** Saving a steering run on one of the feature's labels (the server runs it again and saves its own numbers). */
export function SaveSteeringEvidence({ feature, inputs }: { feature: FeatureKey; inputs: SteeringInputs }) {
  const labels = useQuery(FEATURE_LABELS, {
    variables: { feature },
  });
  const all = labels.data?.featureLabels.edges.map((e) => e.node) ?? [];
  // Only the labels the API would take evidence on (each label's can.addEvidence).
  const options = all.filter((l) => l.can.addEvidence);
  const [chosen, setChosen] = useState('');
  // The answer goes into the label's cached list, so the save's own live event finds it shown and fetches nothing.
  const [save, saving] = useMutation(SAVE_STEERING_EVIDENCE, {
    update: (cache, { data }) => data && addSavedEvidence(cache, data.saveSteeringEvidence),
  });
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { me, loading: meLoading } = useMe();
  const labelId = chosen || options[0]?.id || '';
  // Anyone may steer a public feature; saving needs an account (the API answers UNAUTHENTICATED).
  if (meLoading) return null;
  if (!me) {
    return (
      <p className="muted small" data-testid="save-steering-evidence">
        <SignInLink>Sign in to save this run as evidence</SignInLink> on one of the feature’s labels.
      </p>
    );
  }
  if (!all.length) {
    return <p className="muted small">Propose a label for this feature to save runs as evidence on it.</p>;
  }
  if (!options.length) {
    return (
      <p className="muted small" data-testid="save-steering-evidence">
        Only members of a label’s team (not viewers) save evidence on it; you can run steering, not save it.
      </p>
    );
  }
  return (
    <div className="row wrap small" data-testid="save-steering-evidence">
      <label className="row">
        Label
        <select aria-label="Label for the evidence" value={labelId} onChange={(event) => setChosen(event.target.value)}>
          {options.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="secondary small"
        disabled={saving.loading}
        onClick={async () => {
          setError(null);
          setSaved(null);
          try {
            await save({ variables: { labelId, ...inputs } });
            setSaved(options.find((l) => l.id === labelId)?.name ?? 'the label');
          } catch (caught) {
            setError(errorMessage(caught));
          }
        }}
      >
        {saving.loading ? 'Saving…' : 'Save as evidence'}
      </button>
      {saved && <span role="status">Saved on “{saved}”, in its history.</span>}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * Saving a finished ablation job on the circuit version it ran on; only for those who may comment on the circuit
 * (`canComment`: circuit.can.comment), as the API requires. Viewing alone lets one run the ablation, not save it.
 */
export function SaveAblationEvidence({
  canComment,
  ...props
}: {
  circuitId: string;
  version: number;
  jobId: string;
  canComment: boolean;
}) {
  // As for steering: written into the version's cached list, not fetched again (FeatureLabels, CircuitEditor events).
  const [save, saving] = useMutation(SAVE_ABLATION_EVIDENCE, {
    update: (cache, { data }) => data && addSavedEvidence(cache, data.saveAblationEvidence),
  });
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!canComment) return null;
  return (
    <div className="row small" data-testid="save-ablation-evidence">
      <button
        type="button"
        className="secondary small"
        disabled={saving.loading || saved}
        onClick={async () => {
          setError(null);
          try {
            await save({ variables: props });
            setSaved(true);
          } catch (caught) {
            setError(errorMessage(caught));
          }
        }}
      >
        {saved ? 'Saved as evidence' : saving.loading ? 'Saving…' : 'Save as evidence'}
      </button>
      {saved && <span role="status">On v{props.version}: reviewers see it in the review panel.</span>}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
