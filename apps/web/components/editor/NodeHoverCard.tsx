'use client';

import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { type JSX, useLayoutEffect, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import {
  computedNodeText,
  type FeatureKey,
  featureKeyString,
  type Graph,
  type GraphNode,
  influenceOf,
  positionOf,
} from '../../lib/graph';
import { TRANSCODER_NO_PAGE } from '../../lib/model-support';
import type { NodeLabel } from '../../lib/node-labels';
import { isFeatureType, NODE_TYPES, type NodeType, nodeTypeOf, nodeTypeText } from '../../lib/node-types';
import { COMPUTE_DASHBOARDS, FEATURE_DASHBOARD } from '../../lib/operations';
import { StatusBadge } from '../Badges';
import { ContextLine, type DashboardContext, readDashboard } from '../ContextLine';
import { JobProgressBar, jobFinished, useJob } from '../JobProgress';

export interface HoverTarget {
  node: GraphNode;
  /** Client (screen) coordinates of the node's top-right corner: the card opens to its right. */
  x: number;
  y: number;
  /** Client x of the node's left edge, when known: where there is no room on the right, the card opens left of it. */
  left?: number;
}

interface HoverCardProps {
  target: HoverTarget;
  graph: Graph;
  /** The feature's shown label (useNodeLabels), if any. */
  label: NodeLabel | undefined;
  /** The node's feature when this workbench has its model and SAE (see linkedFeatureKey), else null. */
  feature: FeatureKey | null;
}

const GAP = 8;
const MARGIN = 8;
const CONTEXTS = 4;
const CONTEXT_RADIUS = 10;
const PROMOTED = 5;

/** Three significant digits (whole numbers from 1000 up). */
const formatValue = (value: number) => (Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(3));

/**
 * A card beside a hovered node: its name and label status, where it sits, its activation and effect in this
 * circuit and, for an SAE feature, its top activating contexts and promoted tokens from the feature's dashboard
 * (the inspector offers to compute missing ones). Kept inside the window; it takes no pointer events, so it never
 * covers the next node the pointer goes to (the inspector, on click, has the same preview with its buttons).
 */
export function NodeHoverCard({ target, graph, label, feature: key }: HoverCardProps): JSX.Element | null {
  const { node } = target;
  const ref = useRef<HTMLDivElement>(null);
  // Placed before paint, and again whenever the card's size changes (the dashboard arriving).
  useLayoutEffect(() => {
    const card = ref.current;
    if (!card) return;
    const place = () => {
      const { offsetWidth: width, offsetHeight: height } = card;
      let left = target.x + GAP;
      if (left + width > window.innerWidth - MARGIN) {
        const before = target.left === undefined ? undefined : target.left - GAP - width;
        left = before !== undefined && before >= MARGIN ? before : window.innerWidth - MARGIN - width;
      }
      const top = Math.min(target.y, window.innerHeight - MARGIN - height);
      card.style.left = `${Math.max(MARGIN, left)}px`;
      card.style.top = `${Math.max(MARGIN, top)}px`;
    };
    place();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(place);
    observer.observe(card);
    return () => observer.disconnect();
  }, [target.x, target.y, target.left]);

  const text = computedNodeText(node, graph);
  const type = nodeTypeOf(node, graph);
  const clerp = typeof node.clerp === 'string' && node.clerp.trim() ? node.clerp : undefined;
  const name = label?.name ?? text?.name ?? clerp ?? node.id;
  const place = text?.place ?? placeOf(node, graph);
  const influence = influenceOf(node);
  return (
    <div
      ref={ref}
      className="node-hover-card"
      data-testid="node-hover-card"
      role="tooltip"
      style={{ position: 'fixed', left: target.x + GAP, top: target.y }}
    >
      <div className="hover-card-head">
        <strong className="hover-card-name">{name}</strong>
        {label && <StatusBadge status={label.status} />}
      </div>
      <p className="small hover-card-type" data-testid="hover-node-type">
        <span className={`type-badge type-${type}`}>{NODE_TYPES[type].badge}</span> {nodeTypeText(node, graph)}
      </p>
      <p className="small muted hover-card-place">
        {key ? `${key.saeId} #${key.featureIndex}` : node.id}
        {place ? ` · ${place}` : ''}
      </p>
      {(typeof node.activation === 'number' || influence !== undefined) && (
        <dl className="facts small">
          {typeof node.activation === 'number' && (
            <>
              <dt>Activation</dt>
              <dd>{formatValue(node.activation)}</dd>
            </>
          )}
          {influence !== undefined && (
            <>
              <dt>{typeof node.effect === 'number' ? 'Effect' : 'Influence'}</dt>
              <dd>{formatValue(influence)}</dd>
            </>
          )}
        </dl>
      )}
      {key ? (
        <>
          {!label && clerp && clerp !== name && <p className="small">{clerp}</p>}
          <FeaturePreview key={featureKeyString(key)} feature={key} interactive={false} />
        </>
      ) : (
        <p className="small muted" data-testid="hover-node-kind">
          {isFeatureType(type) ? noFeaturePage(type) : describe(node)}
        </p>
      )}
    </div>
  );
}

/** Where a node of another graph (not one the workbench computed) sits: its layer and token position. */
function placeOf(node: GraphNode, graph: Graph): string {
  const parts: string[] = [];
  if (node.layer !== undefined && node.layer !== null && node.layer !== '') parts.push(`layer ${node.layer}`);
  const position = positionOf(node);
  if (position !== undefined) {
    const tokens = graph.metadata?.prompt_tokens;
    const token = Array.isArray(tokens) ? tokens[position] : undefined;
    parts.push(typeof token === 'string' ? `“${token}” @${position}` : `@${position}`);
  }
  return parts.join(' · ');
}

/** What a feature without a feature page here is told: its model or SAE is not one this workbench has. */
export const NO_FEATURE_PAGE =
  'No feature page or dashboard here: this workbench does not have the model or SAE this feature belongs to.';

/** A transcoder's features have no pages anywhere yet; other features lack one because their SAE is not here. */
export const noFeaturePage = (type: NodeType): string => (type === 'transcoder' ? TRANSCODER_NO_PAGE : NO_FEATURE_PAGE);

/** What a node that is not an SAE feature is. */
function describe(node: GraphNode): string {
  const type = String(node.feature_type ?? '');
  if (node.kind === 'error' || /error/.test(type)) {
    return 'SAE reconstruction error at this hook and position: what the SAE features do not explain.';
  }
  if (node.kind === 'metric') return 'The metric this circuit explains: every effect is measured on it.';
  if (type === 'logit') return 'An output logit: a next-token prediction the graph explains.';
  if (type === 'embedding' || node.layer === 'E' || node.kind === 'input') {
    return 'The input token’s embedding at this position: where the prompt enters the model.';
  }
  if (typeof node.feature === 'number') return 'A feature of an SAE or transcoder the workbench has no dashboard for.';
  return `A ${String(node.kind ?? node.feature_type ?? 'graph')} node.`;
}

/** Dashboard jobs started from hover cards, by SAE: another card of the same SAE follows the job instead of offering it again. */
const dashboardJobs = new Map<string, string>();

/** The top contexts and promoted tokens of one feature; mounted per feature (keyed), so it starts fresh for each. */
export function FeaturePreview({ feature, interactive }: { feature: FeatureKey; interactive: boolean }) {
  const client = useApolloClient();
  const variables = { sae: feature.saeId, index: feature.featureIndex };
  // Cache first, so hovering the same node again asks nothing; but a cached "no dashboard yet" is asked again, as
  // the SAE's dashboards may have been computed since.
  const [fetchPolicy] = useState<'cache-first' | 'cache-and-network'>(() => {
    try {
      const cached = client.readQuery({ query: FEATURE_DASHBOARD, variables });
      return cached && cached.featureDashboard === null ? 'cache-and-network' : 'cache-first';
    } catch {
      return 'cache-first';
    }
  });
  const query = useQuery(FEATURE_DASHBOARD, {
    variables,
    fetchPolicy,
  });
  const saeKey = `${feature.modelId}|${feature.saeId}`;
  const [jobId, setJobId] = useState<string | null>(() => dashboardJobs.get(saeKey) ?? null);
  const [error, setError] = useState<string | null>(null);
  const [compute, computing] = useMutation(COMPUTE_DASHBOARDS);
  const job = useJob(jobId, (update) => {
    if (!jobFinished(update)) return;
    dashboardJobs.delete(saeKey);
    if (update.status === 'SUCCEEDED') void query.refetch();
    else setError(update.error ?? 'the job did not finish');
  });

  const dashboard = readDashboard(query.data?.featureDashboard);
  if (query.error) return <p className="error small">{errorMessage(query.error)}</p>;
  if (dashboard === undefined) return <p className="muted small">Loading the dashboard…</p>;
  if (dashboard === null) {
    const running = jobId && !jobFinished(job);
    return (
      <div className="stack hover-card-dashboard">
        <p className="muted small">No dashboard yet.</p>
        {running ? (
          <JobProgressBar job={job} label="Dashboard progress" />
        ) : !interactive ? (
          <p className="muted small">Click the node to compute its SAE's dashboards.</p>
        ) : query.data?.me ? (
          <button
            type="button"
            className="small"
            disabled={computing.loading}
            onClick={async () => {
              setError(null);
              try {
                const result = await compute({ variables: { model: feature.modelId, sae: feature.saeId } });
                const id = result.data?.computeDashboards.id ?? null;
                if (id) dashboardJobs.set(saeKey, id);
                setJobId(id);
              } catch (caught) {
                setError(errorMessage(caught));
              }
            }}
          >
            Compute dashboards
          </button>
        ) : (
          <p className="muted small">Sign in to compute them.</p>
        )}
        {error && (
          <p className="error small" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }

  const contexts = dashboard.topContexts.slice(0, CONTEXTS);
  const promoted = dashboard.topLogits.slice(0, PROMOTED);
  return (
    <div className="stack hover-card-dashboard" data-testid="hover-dashboard">
      <div>
        <h3 className="section-title">Top activations</h3>
        {contexts.length ? (
          contexts.map((context, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: contexts are ranked; rank is their identity
            <ContextLine key={i} context={around(context)} peak={dashboard.maxActivation} />
          ))
        ) : (
          <p className="muted small">This feature never fired on the corpus.</p>
        )}
      </div>
      {promoted.length > 0 && (
        <div>
          <h3 className="section-title">Promotes</h3>
          <div className="row wrap hover-card-tokens">
            {promoted.map((logit) => (
              <code key={logit.token} title={logit.value.toFixed(3)}>
                {JSON.stringify(logit.token)}
              </code>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

/** A context cut to the tokens around its strongest one, so a card shows several in little room. */
function around(context: DashboardContext): DashboardContext {
  const { tokens, values } = context;
  if (tokens.length <= 2 * CONTEXT_RADIUS + 1) return context;
  let peak = 0;
  values.forEach((value, i) => {
    if (value > (values[peak] ?? 0)) peak = i;
  });
  const start = Math.max(0, Math.min(peak - CONTEXT_RADIUS, tokens.length - 2 * CONTEXT_RADIUS - 1));
  const end = start + 2 * CONTEXT_RADIUS + 1;
  const before = start > 0 ? ['…'] : [];
  const after = end < tokens.length ? ['…'] : [];
  return {
    tokens: [...before, ...tokens.slice(start, end), ...after],
    values: [...before.map(() => 0), ...values.slice(start, end), ...after.map(() => 0)],
    max: context.max,
  };
}
