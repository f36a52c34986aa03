'use client';

import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { CircuitFigure } from '../../components/editor/CircuitFigure';
import { formatNumber } from '../../components/editor/derive';
import { SaveToTeam } from '../../components/learn/SaveToTeam';
import { TopBar } from '../../components/TopBar';
import { errorMessage } from '../../lib/errors';
import type { LearnCircuitQuery } from '../../lib/generated/graphql';
import { computedNodeText, featureKeyOf, featurePath, type Graph } from '../../lib/graph';
import {
  TOY_INPUTS,
  TOY_OUTPUTS,
  type ToyInput,
  type ToyRun,
  topFeatureNodes,
  toyContent,
  trainToy,
} from '../../lib/learn';
import { LEARN_CIRCUIT } from '../../lib/operations';

const INPUTS: ToyInput[] = ['singular', 'plural'];
const subjectOf = (input: ToyInput) => `The${TOY_INPUTS[input].subject}`;
const f2 = (value: number) => value.toFixed(2);

/**
 * /learn: the seed article ("Formulation of Feature Circuits with Sparse Autoencoders in LLM") in its order, each
 * step a few sentences and a live result: the toy network (trained here), its SAE, its feature circuit, then the
 * bundled demo model's circuit for the same agreement, and the command line. Everything works signed out.
 */
export default function LearnPage() {
  // Trained after the first paint (a few hundred ms), so the page shows at once.
  const [run, setRun] = useState<ToyRun | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setRun(trainToy()), 30);
    return () => clearTimeout(timer);
  }, []);
  return (
    <>
      <TopBar />
      <main className="stack learn" style={{ maxWidth: 980, margin: '0 auto' }}>
        <section className="card stack">
          <h1 style={{ margin: 0 }}>Feature circuits, step by step</h1>
          <p>
            This walkthrough follows the article this workbench starts from,{' '}
            <em>Formulation of Feature Circuits with Sparse Autoencoders in LLM</em>, in its order: a toy network that
            picks <q>runs</q> or <q>run</q> from whether the subject is singular or plural, a sparse autoencoder (SAE)
            over its hidden units, the feature circuit that explains its choice, and then the same question asked of a
            real transformer, the bundled demo model. Every result below is computed live: the toy in your browser, the
            demo circuit by the server.
          </p>
        </section>
        <Step n={1} title="A toy network that agrees verbs with subjects" testId="step-network">
          <p>
            Two inputs stand for what a language model reads in the subject: <strong>x₀</strong> lights up for a
            singular subject (<q>The cat</q>), <strong>x₁</strong> for a plural one (<q>The cats</q>), each with some
            noise on the other. Four hidden ReLU units read them, and two outputs give the logits of the next word,{' '}
            <q>{TOY_OUTPUTS[0].trim()}</q> and <q>{TOY_OUTPUTS[1].trim()}</q>. It is trained by plain gradient descent
            on softmax cross-entropy, here in your browser, from fixed seeds (so it is the same network on every visit
            and on the command line).
          </p>
          {run ? <NetworkResult run={run} /> : <p className="muted">Training the toy network…</p>}
        </Step>
        <Step n={2} title="A sparse autoencoder over its hidden units" testId="step-sae">
          <p>
            Hidden units need not line up one to one with concepts: a unit can fire for both subjects (see the table
            above), and a real model has far more concepts than units. An SAE rewrites the 4 hidden activations{' '}
            <em>h</em> as a sparse combination of 6 learned directions: <em>f = ReLU(W_enc h + b_enc)</em>,{' '}
            <em>ĥ = W_dec f + b_dec</em>, trained to reconstruct <em>h</em> with an L1 penalty on <em>f</em>, so that
            only a few features fire on any input. Those features are what the circuit is made of; what the SAE misses (
            <em>h − ĥ</em>) is kept as an <strong>error node</strong>, so the network&rsquo;s output does not change.
          </p>
          {run ? <SaeResult run={run} /> : <p className="muted">Training its SAE…</p>}
        </Step>
        <Step n={3} title="Its feature circuit" testId="step-toy-circuit">
          <p>
            Now splice the SAE into the network and draw what flows where, as in the article&rsquo;s figure for a
            singular and a plural subject. Nodes are the inputs, the hidden units, the SAE&rsquo;s features and its
            error node, and the two output logits. Each edge is weighted by <strong>activation × weight</strong>: how
            much the upstream node, at its value on this input, adds to the downstream one (blue adds, red takes away;
            inactive ReLUs pass nothing, so they have no edges). Because everything after the ReLUs is linear, the edges
            into each output add up exactly to its logit minus its bias.
          </p>
          {run ? <ToyCircuitResult run={run} /> : <p className="muted">Waiting for the network…</p>}
        </Step>
        <Step n={4} title="The same question for a transformer: “The cat runs” / “The cats run”" testId="step-demo">
          <DemoCircuit />
        </Step>
        <Step n={5} title="From the command line" testId="step-cli">
          <p>
            The toy circuit above comes from the same engine code as the command line, with the same seeds. This writes
            it as a circuit file (<code>schema: workbench.circuit</code>), which this viewer draws and the
            editor&rsquo;s <strong>Import JSON</strong> reads, and optionally as a Neuronpedia / circuit-tracer
            attribution graph:
          </p>
          <pre className="code" data-testid="cli-toy">
            npm run circuit -- --toy --input plural --out toy-circuit.json --neuronpedia toy-graph.json
          </pre>
          <p>
            The demo circuit of step 4 from the command line, with the pair in a JSON Lines file (one{' '}
            <code>{'{"clean_prefix","patch_prefix","clean_answer","patch_answer"}'}</code> a line):
          </p>
          <pre className="code">
            npm run circuit -- --model demo --saes demo --dataset cat-runs.jsonl --n 1 --out cat-runs.json
          </pre>
          <p className="muted small">
            Next: <Link href="/explore">see which features fire on your own sentences</Link>, or compute circuits over
            whole datasets of prompt pairs at <Link href="/circuits/new">Compute a circuit</Link> (needs an account in a
            team).
          </p>
        </Step>
      </main>
    </>
  );
}

function Step({ n, title, testId, children }: { n: number; title: string; testId: string; children: ReactNode }) {
  return (
    <section className="card stack" data-testid={testId} aria-labelledby={`${testId}-title`}>
      <h2 id={`${testId}-title`} style={{ margin: 0 }}>
        <span className="step-number">{n}</span> {title}
      </h2>
      {children}
    </section>
  );
}

function NetworkResult({ run }: { run: ToyRun }) {
  return (
    <div className="stack" data-testid="network-result">
      <p className="small">
        Trained in {run.trainMs.toFixed(0)} ms on {run.trainExamples} examples; on 200 held-out noisy examples it picks
        the right verb form <strong data-testid="toy-accuracy">{(run.accuracy * 100).toFixed(0)}%</strong> of the time.
      </p>
      <table className="small">
        <thead>
          <tr>
            <th>Input</th>
            <th>x₀, x₁</th>
            <th>hidden h₀…h₃ (ReLU)</th>
            <th>logit “runs”</th>
            <th>logit “run”</th>
            <th>picks</th>
          </tr>
        </thead>
        <tbody>
          {INPUTS.map((input) => {
            const p = run.passes[input];
            return (
              <tr key={input} data-testid={`toy-pass-${input}`}>
                <td>{subjectOf(input)}</td>
                <td>{TOY_INPUTS[input].x.map(f2).join(', ')}</td>
                <td>{p.hidden.map(f2).join(', ')}</td>
                <td>{f2(p.logits[0]!)}</td>
                <td>{f2(p.logits[1]!)}</td>
                <td>
                  <strong>{TOY_OUTPUTS[p.logits[1]! > p.logits[0]! ? 1 : 0]}</strong>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function SaeResult({ run }: { run: ToyRun }) {
  const features = Array.from({ length: run.sae.dSae }, (_, j) => j);
  return (
    <div className="stack" data-testid="sae-result">
      <p className="small">
        On the held-out examples it reconstructs the hidden units with{' '}
        <strong>{(run.relativeError * 100).toFixed(1)}%</strong> squared error (relative to their squared size), with{' '}
        <strong>{run.l0.toFixed(1)}</strong> of its 6 features active on an input on average. Which fire on the two
        inputs, and what each writes back into the hidden units (its decoder row):
      </p>
      <table className="small">
        <thead>
          <tr>
            <th>Feature</th>
            {INPUTS.map((input) => (
              <th key={input}>on “{subjectOf(input)}”</th>
            ))}
            <th>writes to h₀…h₃</th>
          </tr>
        </thead>
        <tbody>
          {features.map((j) => (
            <tr key={j} data-testid={`toy-feature-${j}`}>
              <td>feature {j}</td>
              {INPUTS.map((input) => {
                const a = run.passes[input].features[j]!;
                return (
                  <td key={input} className={a > 0 ? undefined : 'muted'}>
                    {a > 0 ? f2(a) : 'off'}
                  </td>
                );
              })}
              <td>{Array.from(run.sae.W_dec.subarray(j * 4, j * 4 + 4), f2).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ToyCircuitResult({ run }: { run: ToyRun }) {
  const [input, setInput] = useState<ToyInput>('singular');
  const content = useMemo(() => toyContent(run, input), [run, input]);
  const into = (o: number) =>
    content.graph.edges.filter((e) => e.target === `toy.output:${o}:0`).reduce((s, e) => s + (e.weight ?? 0), 0);
  return (
    <div className="stack" data-testid="toy-circuit-result">
      <div className="row">
        {INPUTS.map((option) => (
          <button
            key={option}
            type="button"
            className={option === input ? 'small' : 'small secondary'}
            aria-pressed={option === input}
            onClick={() => setInput(option)}
          >
            {subjectOf(option)} ({option})
          </button>
        ))}
        <span className="spacer" />
        <Link href={`/learn/circuit?c=toy-${input}`} data-testid="open-toy-editor">
          Open this circuit in the editor
        </Link>
      </div>
      <CircuitFigure key={input} content={content} height={400} />
      <table className="small" data-testid="toy-edge-sums">
        <thead>
          <tr>
            <th>Output</th>
            <th>sum of edges into it</th>
            <th>+ bias (b_out + b_dec · W_out)</th>
            <th>= logit</th>
          </tr>
        </thead>
        <tbody>
          {[0, 1].map((o) => (
            <tr key={o}>
              <td>“{TOY_OUTPUTS[o]!.trim()}”</td>
              <td>{f2(into(o))}</td>
              <td>{f2(content.bias[o]!)}</td>
              <td>
                <strong>{f2(content.logits[o]!)}</strong>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Switch the input and watch the features trade places: the singular subject routes through the features that push
        up “runs”, the plural one through those that push up “run”. Edge numbers are the weights; hover a node in the
        editor for its activation and its effect on the logit difference.
      </p>
    </div>
  );
}

/** The demo circuit as the page reads it: the API's answer, its graph a circuit file. */
type DemoData = Omit<LearnCircuitQuery['learnCircuit'], 'graph'> & {
  graph: Graph & { metrics?: Record<string, number | null> };
};

function DemoCircuit() {
  const query = useQuery(LEARN_CIRCUIT);
  const data = query.data?.learnCircuit as DemoData | undefined;
  return (
    <>
      <p>
        The bundled demo model is a small GPT-2 (4 layers) trained on subject-verb agreement, with an SAE at every
        layer&rsquo;s attention output, MLP output and residual stream. The article&rsquo;s own pair fits its vocabulary
        word for word: <q>cat</q>, <q>cats</q>, <q>runs</q> and <q>run</q> are each one token, so the prompts are{' '}
        <q>The cat</q> (answer <q>runs</q>) and <q>The cats</q> (answer <q>run</q>), with no substitute needed. The
        metric is logit(<q>run</q>) − logit(<q>runs</q>) at the last token: negative on <q>The cat</q>, positive on{' '}
        <q>The cats</q>. Each feature&rsquo;s effect is how much patching it from the plural prompt into the singular
        one moves the metric (integrated gradients, 10 steps); edges are the same activation × gradient products along
        direct paths, and error nodes again hold what the SAEs miss.
      </p>
      {query.error && (
        <p className="error" role="alert">
          The demo circuit could not be computed: {errorMessage(query.error)}
        </p>
      )}
      {!data && !query.error && <p className="muted">The server is computing the demo circuit (about a second)…</p>}
      {data && <DemoResult data={data} />}
    </>
  );
}

function DemoResult({ data }: { data: DemoData }) {
  const graph = data.graph;
  const metrics = graph.metrics ?? {};
  const top = topFeatureNodes(graph, 8);
  const faithfulness = metrics.faithfulness;
  return (
    <div className="stack" data-testid="demo-result">
      <p className="small">
        Metric on <q>{data.cleanPrefix}</q>: <strong>{formatNumber(Number(metrics.cleanMetric))}</strong>, on{' '}
        <q>{data.patchPrefix}</q>: <strong>{formatNumber(Number(metrics.patchMetric))}</strong>. The circuit keeps{' '}
        <strong data-testid="demo-node-count">{metrics.nodes}</strong> of {metrics.totalNodes} nodes (those whose
        |effect| passes 0.1) and {metrics.edges} edges; with everything else mean-ablated it recovers{' '}
        <strong data-testid="demo-faithfulness">
          {typeof faithfulness === 'number' ? `${(faithfulness * 100).toFixed(0)}%` : 'n/a'}
        </strong>{' '}
        of the model&rsquo;s behaviour (faithfulness).
      </p>
      <p className="small">Its strongest features: open one to see what it fires on and to label it.</p>
      <table className="small" data-testid="demo-top-features">
        <thead>
          <tr>
            <th>Feature</th>
            <th>where</th>
            <th>effect on the metric</th>
            <th>activation</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {top.map((node) => {
            const key = featureKeyOf(node, graph);
            const text = computedNodeText(node, graph);
            return (
              <tr key={node.id}>
                <td>{text?.name ?? node.id}</td>
                <td>{text?.place}</td>
                <td>{formatNumber(Number(node.effect))}</td>
                <td>{formatNumber(Number(node.activation ?? 0))}</td>
                <td>{key && <Link href={featurePath(key)}>feature page · label it</Link>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="row wrap">
        <Link className="button" href="/learn/circuit?c=demo" data-testid="open-demo-editor">
          Open the demo circuit in the editor
        </Link>
        <span className="muted small">
          Prune it, hover features for their top contexts, follow the links to label them. Labels belong to a team:
          proposing one, like saving the circuit, needs an account.
        </span>
      </div>
      <p className="small">
        <SaveToTeam
          title={`${data.cleanPrefix}${data.cleanAnswer} / ${data.patchPrefix}${data.patchAnswer}`}
          content={() => ({ graph })}
          what="The demo circuit"
        />
      </p>
    </div>
  );
}
