'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { JobProgressBar, jobFinished, useJob } from '../../../components/JobProgress';
import { TopBar } from '../../../components/TopBar';
import { errorMessage } from '../../../lib/errors';
import type { PromptGraphJobInput } from '../../../lib/generated/graphql';
import { useAppRouter } from '../../../lib/navigation';
import {
  BUILDER_MODELS,
  GRAPH_BUILDER_MODELS,
  MY_TEAMS,
  START_CIRCUIT_JOB,
  START_PROMPT_GRAPH_JOB,
} from '../../../lib/operations';
import { type TranscoderSet, transcoderSets } from '../../../lib/transcoder-sets';

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

/** What the form computes: a prompt-pair circuit (Marks et al.) or a one-prompt attribution graph (circuit-tracer). */
type Kind = 'pair' | 'graph';
const DEFAULT_TITLES: Record<Kind, string> = {
  pair: 'Subject-verb agreement',
  graph: 'One prompt: The cats near the tree',
};

/** Computes a sparse feature circuit as a background job, shows its progress, and opens the editor when done. */
export default function CircuitBuilderPage() {
  const router = useAppRouter();
  const teams = useQuery(MY_TEAMS);
  const models = useQuery(BUILDER_MODELS);
  const graphModels = useQuery(GRAPH_BUILDER_MODELS);
  const [kind, setKind] = useState<Kind>('pair');
  const [modelId, setModelId] = useState<string | null>(null);
  const [source, setSource] = useState<'dataset' | 'pair'>('dataset');
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [start, starting] = useMutation(START_CIRCUIT_JOB);
  const [startGraph, startingGraph] = useMutation(START_PROMPT_GRAPH_JOB);
  const job = useJob(jobId, (update) => {
    // A circuit job's result (JSON) names the circuit it stored.
    const stored = update.result as { slug?: string } | null;
    if (update.status === 'SUCCEEDED' && stored?.slug) router.push(`/c/${stored.slug}`);
    if (update.status === 'FAILED') setError(update.error ?? 'The computation failed');
  });
  const writableTeams = (teams.data?.myTeams ?? []).filter((t) => t.can.computeCircuits);
  const model = modelId ?? models.data?.models[0]?.id ?? '';
  const graphModel = graphModels.data?.models.find((m) => m.id === model);
  const sets = graphModel ? transcoderSets(graphModel.transcoders, graphModel.nLayers) : [];
  const usableSets = sets.filter((set) => set.complete);
  const transcoderCount = (id: string) => graphModels.data?.models.find((m) => m.id === id)?.transcoders.length ?? 0;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const number = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
    if (kind === 'graph') {
      await submitGraph({
        teamId: text('teamId'),
        title: text('title'),
        model: text('model'),
        prompt: String(form.get('prompt') ?? ''),
        transcoders: text('transcoders') || undefined,
        nodeThreshold: number('nodeThreshold'),
        edgeThreshold: number('edgeThreshold'),
        maxFeatureNodes: number('maxFeatureNodes'),
      });
      return;
    }
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

  async function submitGraph(input: PromptGraphJobInput) {
    try {
      const result = await startGraph({ variables: { input } });
      setJobId(result.data?.startPromptGraphJob.id ?? null);
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
          <div className="row" role="radiogroup" aria-label="What to compute">
            <label className="row">
              <input type="radio" name="kind" checked={kind === 'pair'} onChange={() => setKind('pair')} /> Prompt pair
              (sparse feature circuit)
            </label>
            <label className="row">
              <input type="radio" name="kind" checked={kind === 'graph'} onChange={() => setKind('graph')} /> One prompt
              (attribution graph)
            </label>
          </div>
          {kind === 'pair' ? (
            <p className="muted" style={{ margin: 0 }}>
              Sparse feature circuit (Marks et al. 2024): explains a <em>difference</em> between a clean and a patched
              prompt (singular vs plural subject, say) by SAE features and error nodes at every layer, node effects by
              integrated gradients, attribution patching or exact patching, direct-path edges, scored by faithfulness.
              Use it when you can write the counterfactual.
            </p>
          ) : (
            <p className="muted" style={{ margin: 0 }}>
              Attribution graph of one prompt (circuit-tracer's method, Ameisen et al. 2025): how the model reaches its
              top next-token predictions, with no counterfactual needed. Every MLP is replaced by a transcoder plus an
              error term, attention patterns and LayerNorm scales are frozen, so each edge is an exact linear
              contribution; the graph is pruned by influence on the top logits. Use it to explore a prompt.
            </p>
          )}
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
                <select name="model" required value={model} onChange={(e) => setModelId(e.target.value)}>
                  {models.data?.models.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.id} ({kind === 'graph' ? `${transcoderCount(m.id)} transcoders` : `${m.saes.length} SAEs`})
                    </option>
                  ))}
                </select>
              </label>
              <label style={{ flex: 1 }}>
                Title
                <input key={kind} name="title" required defaultValue={DEFAULT_TITLES[kind]} />
              </label>
            </div>
            {kind === 'pair' ? (
              <>
                <fieldset className="stack">
                  <legend>Prompt pairs</legend>
                  <div className="row">
                    <label className="row">
                      <input type="radio" checked={source === 'dataset'} onChange={() => setSource('dataset')} /> A
                      bundled dataset
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
                    correlation of its node effects with exact patching on the residual stream, and the share of the
                    metric its top 100 and top 200 nodes recover on their own (faithfulness).
                  </span>
                  <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
                    <li>
                      Integrated gradients, 10 steps (default, for final circuits): 10 gradients per SAE; 0.84; 73% and
                      94%. It credits nodes that act together, which exact patching of one node at a time cannot.
                    </li>
                    <li>Integrated gradients, 4 steps (fast): 4 gradients per SAE; 0.81; 75% and 95%.</li>
                    <li>
                      Attribution patching (fastest): one gradient; 0.98, yet 15% and 70%: it underrates some of the
                      subject's early-layer features, whose effect reaches the verb only through later layers'
                      attention, so its circuits can have faithfulness near 0.
                    </li>
                    <li>
                      Exact patching: a forward pass per node and pair, about 3 times integrated gradients&apos; time on
                      the demo and far more on large models; the true effect of each node alone; 58% and 91%.
                    </li>
                  </ul>
                </div>
              </>
            ) : (
              <GraphFields sets={usableSets} incomplete={sets.filter((set) => !set.complete)} model={model} />
            )}
            <button
              type="submit"
              disabled={
                starting.loading ||
                startingGraph.loading ||
                Boolean(running) ||
                !writableTeams.length ||
                (kind === 'graph' && !usableSets.length)
              }
            >
              {kind === 'graph' ? 'Compute graph' : 'Compute circuit'}
            </button>
          </form>
          {running && <JobProgressBar job={job} label={kind === 'graph' ? 'Graph progress' : 'Circuit progress'} />}
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

/**
 * The one-prompt graph's inputs: the prompt, the model's transcoder set and circuit-tracer's pruning defaults, each
 * explained in a line.
 */
function GraphFields({
  sets,
  incomplete,
  model,
}: {
  sets: TranscoderSet[];
  incomplete: TranscoderSet[];
  model: string;
}) {
  return (
    <fieldset className="stack" data-testid="graph-fields">
      <legend>One prompt</legend>
      <label>
        Prompt
        <input name="prompt" required maxLength={2000} defaultValue="The cats near the tree" />
      </label>
      <p className="muted small" style={{ margin: 0 }}>
        The graph explains the model's next token after this text: its top logits (up to 10, until 95% of the
        probability is covered) are the graph's outputs.
      </p>
      {sets.length ? (
        <label>
          Transcoders
          <select name="transcoders" defaultValue={sets[0]!.name}>
            {sets.map((set) => (
              <option key={set.name} value={set.name}>
                {set.name} ({set.description})
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p className="error" role="alert" style={{ margin: 0 }}>
          Model {model} has no transcoder at every layer's MLP
          {incomplete.length
            ? ` (${incomplete.map((set) => `${set.name}: layers ${set.layers.join(', ')}`).join('; ')})`
            : ''}
          , so no graph can be computed for it: add a complete set with <code>npm run models -- add</code>, or pick the
          demo model.
        </p>
      )}
      <div className="row" style={{ flexWrap: 'wrap' }}>
        <label>
          Node threshold
          <input name="nodeThreshold" type="number" step="any" min={0} max={1} defaultValue={0.8} />
        </label>
        <label>
          Edge threshold
          <input name="edgeThreshold" type="number" step="any" min={0} max={1} defaultValue={0.98} />
        </label>
        <label>
          Feature nodes at most
          <input name="maxFeatureNodes" type="number" step={1} min={1} max={100000} defaultValue={7500} />
        </label>
      </div>
      <ul className="muted small" style={{ margin: 0, paddingLeft: '1.2em' }}>
        <li>
          Node threshold 0.8 (circuit-tracer's default): keep the nodes that carry 80% of the influence on the logits;
          lower keeps fewer, more important nodes. Token embeddings and logits are always kept.
        </li>
        <li>Edge threshold 0.98: keep the edges that carry 98% of the edge influence.</li>
        <li>
          Feature nodes at most 7,500: when more transcoder features are active, only the most influential get edges
          into them (memory grows with the square of the node count).
        </li>
      </ul>
    </fieldset>
  );
}
