'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { JobProgressBar, jobFinished, useJob } from '../../../components/JobProgress';
import { TopBar } from '../../../components/TopBar';
import { errorMessage } from '../../../lib/errors';
import { BUILDER_MODELS, MY_TEAMS, START_CIRCUIT_JOB } from '../../../lib/operations';

const TEMPLATES = [
  { id: 'nounpp', label: 'nounpp: The key(s) near the cabinet …' },
  { id: 'simple', label: 'simple: The key(s) …' },
  { id: 'within_rc', label: 'within_rc: The key(s) that the man …' },
  { id: 'rc', label: 'rc: The key(s) that the man likes …' },
];

/** The form's method choices as the job takes them (fast integrated gradients is 'ig' with 4 steps). */
const METHOD_CHOICES = {
  ig: { method: 'ig', steps: 10 },
  'ig-fast': { method: 'ig', steps: 4 },
  atp: { method: 'atp', steps: undefined },
  exact: { method: 'exact', steps: undefined },
} as const;
type MethodChoice = keyof typeof METHOD_CHOICES;

/** Computes a sparse feature circuit as a background job, shows its progress, and opens the editor when done. */
export default function CircuitBuilderPage() {
  const router = useRouter();
  const teams = useQuery(MY_TEAMS);
  const models = useQuery(BUILDER_MODELS);
  const [source, setSource] = useState<'dataset' | 'pair'>('dataset');
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [start, starting] = useMutation(START_CIRCUIT_JOB);
  const job = useJob(jobId, (update) => {
    // A circuit job's result (JSON) names the circuit it stored.
    const stored = update.result as { slug?: string } | null;
    if (update.status === 'SUCCEEDED' && stored?.slug) router.push(`/c/${stored.slug}`);
    if (update.status === 'FAILED') setError(update.error ?? 'The computation failed');
  });
  const writableTeams = (teams.data?.myTeams ?? []).filter((t) => t.can.computeCircuits);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const number = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
    const { method, steps } = METHOD_CHOICES[text('method') as MethodChoice] ?? METHOD_CHOICES.ig;
    const input = {
      teamId: text('teamId'),
      title: text('title'),
      model: text('model'),
      method,
      ...(steps ? { steps } : {}),
      n: number('n'),
      nodeThreshold: number('nodeThreshold'),
      edgeThreshold: number('edgeThreshold'),
      ...(source === 'dataset'
        ? { dataset: text('dataset') }
        : {
            pairs: [
              {
                clean_prefix: text('cleanPrefix'),
                patch_prefix: text('patchPrefix'),
                // Answers are whole tokens with their leading space, as the model sees them after the prefix.
                clean_answer: ` ${text('cleanAnswer')}`,
                patch_answer: ` ${text('patchAnswer')}`,
              },
            ],
          }),
    };
    try {
      const result = await start({ variables: { input } });
      setJobId(result.data?.startCircuitJob.id ?? null);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  const running = jobId && !jobFinished(job);
  return (
    <>
      <TopBar />
      <main className="stack">
        <section className="card stack">
          <h1 style={{ margin: 0 }}>Compute a circuit</h1>
          <p className="muted" style={{ margin: 0 }}>
            Sparse feature circuit (Marks et al. 2024): SAE features and error nodes at every layer, node effects by
            integrated gradients, attribution patching or exact patching, direct-path edges, scored by faithfulness.
          </p>
          {teams.data && !writableTeams.length && (
            <p className="error">
              Circuits belong to a team, and you are not a member (or a viewer only) of any:{' '}
              <Link href="/">create a team</Link> or ask a team&apos;s admin for an invitation.
            </p>
          )}
          <form className="stack" onSubmit={onSubmit}>
            <div className="row" style={{ flexWrap: 'wrap' }}>
              <label>
                Team
                <select name="teamId" required>
                  {writableTeams.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Model
                <select name="model" required>
                  {models.data?.models.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.id} ({m.saes.length} SAEs)
                    </option>
                  ))}
                </select>
              </label>
              <label style={{ flex: 1 }}>
                Title
                <input name="title" required defaultValue="Subject-verb agreement" />
              </label>
            </div>
            <fieldset className="stack">
              <legend>Prompt pairs</legend>
              <div className="row">
                <label className="row">
                  <input type="radio" checked={source === 'dataset'} onChange={() => setSource('dataset')} /> A bundled
                  dataset
                </label>
                <label className="row">
                  <input type="radio" checked={source === 'pair'} onChange={() => setSource('pair')} /> My own pair
                </label>
              </div>
              {source === 'dataset' ? (
                <div className="row">
                  <label>
                    Dataset
                    <select name="dataset" defaultValue="nounpp">
                      {TEMPLATES.map((t) => (
                        <option key={t.id} value={t.id}>
                          {t.label}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Pairs
                    <input name="n" type="number" min={1} max={1000} defaultValue={20} />
                  </label>
                </div>
              ) : (
                <div className="stack">
                  <div className="row">
                    <label style={{ flex: 1 }}>
                      Clean prompt
                      <input name="cleanPrefix" required defaultValue="The boy near the car" />
                    </label>
                    <label>
                      Its answer
                      <input name="cleanAnswer" required defaultValue="is" />
                    </label>
                  </div>
                  <div className="row">
                    <label style={{ flex: 1 }}>
                      Patched prompt
                      <input name="patchPrefix" required defaultValue="The boys near the car" />
                    </label>
                    <label>
                      Its answer
                      <input name="patchAnswer" required defaultValue="are" />
                    </label>
                  </div>
                </div>
              )}
            </fieldset>
            <div className="row" style={{ flexWrap: 'wrap' }}>
              <label>
                Method
                <select name="method" defaultValue="ig" aria-describedby="method-note">
                  <option value="ig">Integrated gradients (10 steps)</option>
                  <option value="ig-fast">Integrated gradients (4 steps, fast)</option>
                  <option value="atp">Attribution patching (fastest)</option>
                  <option value="exact">Exact patching (slow; small models)</option>
                </select>
              </label>
              <label>
                Node threshold
                <input name="nodeThreshold" type="number" step="any" min={0} defaultValue={0.1} />
              </label>
              <label>
                Edge threshold
                <input name="edgeThreshold" type="number" step="any" min={0} defaultValue={0.01} />
              </label>
            </div>
            <div id="method-note" className="muted small stack" style={{ margin: 0, gap: 4 }}>
              <span>
                What each method costs, and how it did on the bundled demo model with 50 nounpp pairs: the Pearson
                correlation of its node effects with exact patching on the residual stream, and the share of the metric
                its top 100 and top 200 nodes recover on their own (faithfulness).
              </span>
              <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
                <li>
                  Integrated gradients, 10 steps (default, for final circuits): 10 gradients per SAE; 0.84; 73% and 94%.
                  It credits nodes that act together, which exact patching of one node at a time cannot.
                </li>
                <li>Integrated gradients, 4 steps (fast): 4 gradients per SAE; 0.81; 75% and 95%.</li>
                <li>
                  Attribution patching (fastest): one gradient; 0.98, yet 15% and 70%: it underrates some of the
                  subject's early-layer features, whose effect reaches the verb only through later layers' attention, so
                  its circuits can have faithfulness near 0.
                </li>
                <li>
                  Exact patching: a forward pass per node and pair, about 3 times integrated gradients&apos; time on the
                  demo and far more on large models; the true effect of each node alone; 58% and 91%.
                </li>
              </ul>
            </div>
            <button type="submit" disabled={starting.loading || Boolean(running) || !writableTeams.length}>
              Compute circuit
            </button>
          </form>
          {running && <JobProgressBar job={job} label="Circuit progress" />}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </section>
      </main>
    </>
  );
}
