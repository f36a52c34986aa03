'use client';

import type { Graph } from '../../lib/graph';
import {
  describeCompleteness,
  describeFaithfulness,
  describeMethod,
  describeMetric,
  LOW_FAITHFULNESS,
  lowFaithfulnessAdvice,
} from '../../lib/quality';
import { formatNumber } from './derive';

interface ComputedFile {
  method?: {
    kind?: string;
    steps?: number;
    aggregation?: string;
    nodeThreshold?: number;
    edgeThreshold?: number;
    maxNodes?: number | null;
    metric?: { kind?: string; answer?: number; wrong?: number };
  };
  dataset?: {
    name?: string;
    pairs?: number;
    examples?: { clean_prefix: string; patch_prefix: string; clean_answer: string; patch_answer: string }[];
  };
  metrics?: {
    faithfulness?: number | null;
    completeness?: number | null;
    cleanMetric?: number | null;
    patchMetric?: number | null;
    totalNodes?: number;
  };
}

const SHOWN_PAIRS = 3;

/** The circuit's faithfulness for the toolbar: null when the graph has none (not computed here, or not evaluated). */
export function faithfulnessOf(graph: Graph): number | null {
  if (graph.schema !== 'workbench.circuit') return null;
  const value = (graph as ComputedFile).metrics?.faithfulness;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Whether a computed circuit is any good, on screen: its scores in numbers and words, how it was computed, the prompt
 * pairs, and a warning that says what to try when its nodes do not reproduce the behaviour.
 */
export function CircuitQuality({ graph }: { graph: Graph }) {
  if (graph.schema !== 'workbench.circuit') return null;
  if ((graph as ComputedFile).method?.kind === 'graph') return <AttributionGraphQuality graph={graph as GraphFile} />;
  const { method, dataset, metrics } = graph as ComputedFile;
  const faithfulness = faithfulnessOf(graph);
  const completeness = typeof metrics?.completeness === 'number' ? metrics.completeness : null;
  const pairs = dataset?.pairs ?? dataset?.examples?.length ?? 0;
  const low = faithfulness !== null && faithfulness < LOW_FAITHFULNESS;
  return (
    <section className="quality stack" data-testid="circuit-quality" aria-label="Circuit quality">
      <h3 className="section-title">Quality</h3>
      {low && (
        <div className="notice warn" role="alert" data-testid="quality-warning">
          <strong>Low faithfulness ({faithfulness.toFixed(2)}).</strong> The nodes kept here do not reproduce the
          model's behaviour: {describeFaithfulness(faithfulness)}, so reading the circuit as "how the model does it"
          would mislead. Try:
          <ul>
            {lowFaithfulnessAdvice(method, pairs).map((advice) => (
              <li key={advice}>{advice}</li>
            ))}
          </ul>
        </div>
      )}
      <dl className="quality-scores">
        <dt>Faithfulness</dt>
        <dd data-testid="quality-faithfulness">
          {faithfulness === null ? (
            'not evaluated'
          ) : (
            <>
              <strong className={low ? 'bad' : 'good'}>{faithfulness.toFixed(2)}</strong>{' '}
              <span className="muted">({describeFaithfulness(faithfulness)}; 1 is best)</span>
            </>
          )}
        </dd>
        <dt>Completeness</dt>
        <dd data-testid="quality-completeness">
          {completeness === null ? (
            'not evaluated'
          ) : (
            <>
              <strong>{completeness.toFixed(2)}</strong>{' '}
              <span className="muted">({describeCompleteness(completeness)}; 0 is best)</span>
            </>
          )}
        </dd>
        <dt>Metric</dt>
        <dd>
          clean {formatNumber(metrics?.cleanMetric ?? undefined) || '–'}, patched{' '}
          {formatNumber(metrics?.patchMetric ?? undefined) || '–'}{' '}
          <span className="muted">({describeMetric(method, (graph as GraphFile).nodes)})</span>
        </dd>
        <dt>Method</dt>
        <dd data-testid="quality-method">{describeMethod(method)}</dd>
        <dt>Thresholds</dt>
        <dd>
          nodes |effect| ≥ {method?.nodeThreshold ?? '–'}, edges |weight| ≥ {method?.edgeThreshold ?? '–'}
          {method?.maxNodes ? `, at most ${method.maxNodes} nodes` : ''}
          {metrics?.totalNodes ? ` (of ${metrics.totalNodes.toLocaleString()} candidate nodes)` : ''}
        </dd>
        <dt>Prompt pairs</dt>
        <dd data-testid="quality-pairs">
          {pairs} from {dataset?.name ?? 'a dataset'}
          {dataset?.examples?.length ? (
            <ul className="pairs">
              {dataset.examples.slice(0, SHOWN_PAIRS).map((pair) => (
                <li key={`${pair.clean_prefix}|${pair.patch_prefix}`}>
                  “{pair.clean_prefix}
                  <b>{pair.clean_answer}</b>” vs “{pair.patch_prefix}
                  <b>{pair.patch_answer}</b>”
                </li>
              ))}
              {pairs > SHOWN_PAIRS && <li className="muted">…and {pairs - SHOWN_PAIRS} more</li>}
            </ul>
          ) : null}
        </dd>
      </dl>
    </section>
  );
}

/** What an attribution graph of one prompt (method 'graph') records besides a computed circuit's fields. */
interface GraphFile extends ComputedFile {
  dataset?: ComputedFile['dataset'] & { prompt?: string };
  metrics?: ComputedFile['metrics'] & {
    nodes?: number;
    replacementScore?: number | null;
    completenessScore?: number | null;
  };
  nodes?: { kind?: string; label?: string; probability?: number }[];
}

const percent = (share: number | undefined) => (typeof share === 'number' ? `${Math.round(share * 100)}%` : '–');

/**
 * An attribution graph's quality (circuit-tracer's scores): how much of the logits' dependence on the prompt runs
 * through features rather than error nodes, what it explains (the top logits) and how it was pruned.
 */
function AttributionGraphQuality({ graph }: { graph: GraphFile }) {
  const { method, dataset, metrics } = graph;
  const logits = (graph.nodes ?? [])
    .filter((n) => n.kind === 'output' && typeof n.probability === 'number')
    .sort((a, b) => b.probability! - a.probability!);
  const score = (value: number | null | undefined) => (typeof value === 'number' ? value.toFixed(2) : 'not computed');
  return (
    <section className="quality stack" data-testid="circuit-quality" aria-label="Graph quality">
      <h3 className="section-title">Quality</h3>
      <dl className="quality-scores">
        <dt>Replacement</dt>
        <dd data-testid="quality-replacement">
          <strong>{score(metrics?.replacementScore)}</strong>{' '}
          <span className="muted">
            (share of the prompt's influence on the logits that runs through features, not error nodes; 1 is best)
          </span>
        </dd>
        <dt>Completeness</dt>
        <dd data-testid="quality-graph-completeness">
          <strong>{score(metrics?.completenessScore)}</strong>{' '}
          <span className="muted">
            (share of the nodes' inputs that come from features and tokens, weighted by influence; 1 is best)
          </span>
        </dd>
        <dt>Explains</dt>
        <dd data-testid="quality-logits">
          the next token's top logits at the last position:{' '}
          {logits.map((n) => `“${n.label ?? '?'}” ${n.probability!.toFixed(2)}`).join(', ') || '–'}
        </dd>
        <dt>Method</dt>
        <dd data-testid="quality-method">{describeMethod(method)}</dd>
        <dt>Pruning</dt>
        <dd>
          nodes up to {percent(method?.nodeThreshold)} of the influence on the logits, edges up to{' '}
          {percent(method?.edgeThreshold)}
          {method?.maxNodes ? `, at most ${method.maxNodes.toLocaleString()} features attributed` : ''}
          {metrics?.totalNodes ? ` (${metrics.nodes ?? '?'} of ${metrics.totalNodes.toLocaleString()} nodes kept)` : ''}
        </dd>
        <dt>Prompt</dt>
        <dd data-testid="quality-prompt">“{dataset?.prompt ?? dataset?.name ?? ''}”</dd>
      </dl>
    </section>
  );
}
