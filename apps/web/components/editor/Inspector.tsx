'use client';

import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { commands, type EditorDoc, type EditorStore } from '../../lib/editor-store';
import {
  computedNodeText,
  type FeatureKey,
  featureKeyString,
  featurePath,
  type GraphNode,
  influenceOf,
  positionOf,
} from '../../lib/graph';
import type { NodeLabel } from '../../lib/node-labels';
import { isFeatureType, NODE_TYPES, nodeTypeOf, nodeTypeText } from '../../lib/node-types';
import { MY_TEAMS } from '../../lib/operations';
import { StatusBadge } from '../Badges';
import { CircuitStatus } from '../CircuitStatus';
import { CommentThread } from '../CommentThread';
import { FeatureLabels } from '../FeatureLabels';
import { CircuitQuality } from './CircuitQuality';
import { formatNumber } from './derive';
import { FeaturePreview, noFeaturePage } from './NodeHoverCard';
import type { CircuitInfo, VersionData } from './types';

interface InspectorProps {
  circuit: CircuitInfo;
  doc: EditorDoc;
  store: EditorStore;
  selected: string[];
  labels: Map<string, NodeLabel>;
  /** A node's feature when this workbench has its model and SAE (a feature page, dashboards, labels), else null. */
  linkOf: (node: GraphNode) => FeatureKey | null;
  /** The feature a node's team labels and votes are about (see labelFeatureKey), else null. */
  labelKeyOf: (node: GraphNode) => FeatureKey | null;
  canEdit: boolean;
  canComment: boolean;
  commentTick: number;
  onGroup: () => void;
  version: VersionData;
  baseNumber: number;
  /** After a label of a feature was proposed, voted on or edited here (or by someone else): the graph's labels are stale. */
  onLabelsChanged?: () => void;
  /** A circuit that is not stored (see CircuitEditor): no comment threads; labels are proposed on feature pages. */
  standalone?: boolean;
}

/** The side panel for the selection: details, label and note, supernode name, and the comment thread. */
export function Inspector(props: InspectorProps) {
  const { doc, selected, circuit } = props;
  if (selected.length === 0) {
    return (
      <div className="stack panel-body">
        <h2 className="section-title">{circuit.title}</h2>
        {props.standalone ? (
          <p className="muted small">
            {props.version.message} {doc.graph.nodes.length} nodes, {doc.graph.edges.length} edges.
          </p>
        ) : (
          <>
            <p className="small">
              <CircuitStatus circuit={circuit} /> · {circuit.visibility.toLowerCase()} · by{' '}
              {circuit.createdBy?.displayName ?? 'someone'}
            </p>
            <p className="muted small">
              Version {props.baseNumber}
              {props.version.message ? `: “${props.version.message}”` : ''}. {doc.graph.nodes.length} nodes,{' '}
              {doc.graph.edges.length} edges, {doc.groups.length} supernodes.
            </p>
          </>
        )}
        <p className="muted small">
          Click a node or edge to inspect, label and discuss it; Shift+drag selects several. Press ? for shortcuts.
        </p>
        <CircuitQuality graph={doc.graph} />
        {!props.standalone && (
          <CommentThread
            refreshKey={props.commentTick}
            target={{ type: 'CIRCUIT', circuitId: circuit.id }}
            canComment={props.canComment}
            title="Comments on this circuit"
          />
        )}
      </div>
    );
  }
  if (selected.length > 1) {
    return (
      <div className="stack panel-body">
        <h2 className="section-title">{selected.length} selected</h2>
        <ul className="small plain">
          {selected.slice(0, 30).map((id) => (
            <li key={id}>{id}</li>
          ))}
          {selected.length > 30 && <li className="muted">…and {selected.length - 30} more</li>}
        </ul>
        <div className="row wrap">
          <button type="button" className="small" onClick={props.onGroup}>
            Group into supernode (G)
          </button>
        </div>
      </div>
    );
  }
  const id = selected[0]!;
  if (id.includes('->')) return <EdgeInspector {...props} id={id} />;
  const group = doc.groups.find((g) => g.id === id);
  if (group) return <GroupInspector {...props} id={id} />;
  return <NodeInspector {...props} id={id} />;
}

/**
 * Whether this circuit's own labels and notes can be edited here: by its editors, and by anyone in a standalone
 * circuit (the walkthrough's), whose edits are the visitor's own until saved to a team.
 */
const annotates = (props: Pick<InspectorProps, 'canEdit' | 'standalone'>) => props.canEdit || Boolean(props.standalone);

function AnnotationForm({
  kind,
  id,
  store,
  doc,
  canEdit,
}: {
  kind: 'nodes' | 'edges';
  id: string;
  store: EditorStore;
  doc: EditorDoc;
  canEdit: boolean;
}) {
  const current = doc.annotations[kind][id] ?? {};
  const [label, setLabel] = useState(current.label ?? '');
  const [note, setNote] = useState(current.note ?? '');
  // Undo, redo and other selections change what is stored: show that.
  useEffect(() => {
    setLabel(current.label ?? '');
    setNote(current.note ?? '');
  }, [current.label, current.note]);
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        store.dispatch(commands.annotate(kind, id, { label, note }));
      }}
    >
      <label>
        Label in this circuit
        <input
          value={label}
          onChange={(event) => setLabel(event.target.value)}
          aria-label={kind === 'nodes' ? 'Node label' : 'Edge label'}
          maxLength={200}
          disabled={!canEdit}
        />
      </label>
      <label>
        Note
        <textarea
          value={note}
          onChange={(event) => setNote(event.target.value)}
          aria-label={kind === 'nodes' ? 'Node note' : 'Edge note'}
          rows={3}
          disabled={!canEdit}
        />
      </label>
      <button type="submit" className="small" disabled={!canEdit}>
        Apply
      </button>
    </form>
  );
}

function NodeInspector(props: InspectorProps & { id: string }) {
  const { doc, id, store, labels } = props;
  const node = doc.graph.nodes.find((n) => n.id === id);
  if (!node) return <p className="muted panel-body">{id} is not in this version.</p>;
  const key = props.linkOf(node);
  const labelKey = props.labelKeyOf(node);
  const type = nodeTypeOf(node, doc.graph);
  const influence = influenceOf(node);
  const label = key ? labels.get(featureKeyString(key)) : undefined;
  const pinned = Boolean(doc.pinned[id]);
  const name = doc.annotations.nodes[id]?.label ?? label?.name ?? computedNodeText(node, doc.graph)?.name ?? node.id;
  return (
    <div className="stack panel-body" data-testid="node-inspector">
      <h2 className="section-title">{name}</h2>
      <dl className="facts small">
        <dt>Node</dt>
        <dd>{node.id}</dd>
        <dt>Type</dt>
        <dd data-testid="inspector-node-type">
          <span className={`type-badge type-${type}`}>{NODE_TYPES[type].badge}</span> {nodeTypeText(node, doc.graph)}
        </dd>
        {node.layer !== undefined && (
          <>
            <dt>Layer</dt>
            <dd>{String(node.layer)}</dd>
          </>
        )}
        {positionOf(node) !== undefined && (
          <>
            <dt>Token position</dt>
            <dd>{positionOf(node)}</dd>
          </>
        )}
        {typeof node.activation === 'number' && (
          <>
            <dt>Activation</dt>
            <dd>{formatNumber(node.activation)}</dd>
          </>
        )}
        {influence !== undefined && (
          <>
            <dt>{typeof node.effect === 'number' ? 'Effect' : 'Influence'}</dt>
            <dd>{formatNumber(influence)}</dd>
          </>
        )}
        {key && (
          <>
            <dt>Feature</dt>
            <dd>
              <Link href={featurePath(key)} data-testid="feature-link">
                {key.saeId} #{key.featureIndex}
              </Link>
              {label && (
                <>
                  {' '}
                  · {label.name} <StatusBadge status={label.status} />
                </>
              )}
            </dd>
          </>
        )}
      </dl>
      {!key && isFeatureType(type) && (
        <p className="small muted" data-testid="no-feature-page">
          {noFeaturePage(type)}
        </p>
      )}
      {/* Keys unique among the panel's children: a repeated key duplicates children when the feature appears. */}
      {key && <FeaturePreview key={`preview:${featureKeyString(key)}`} feature={key} interactive />}
      <div className="row wrap">
        <button
          type="button"
          className="secondary small"
          onClick={() => store.dispatch(commands.setPinned([id], !pinned))}
        >
          {pinned ? 'Unpin' : 'Pin'}
        </button>
        <button type="button" className="secondary small" onClick={() => store.dispatch(commands.hide([id]))}>
          Hide
        </button>
      </div>
      <AnnotationForm key={id} kind="nodes" id={id} store={store} doc={doc} canEdit={annotates(props)} />
      {labelKey && props.standalone && key && (
        <p className="small" data-testid="label-feature-link">
          <Link href={featurePath(key)}>Label this feature</Link> on its feature page: its labels, votes and top
          contexts (proposing a label needs an account in a team).
        </p>
      )}
      {labelKey && !props.standalone && (
        <FeatureLabelSection
          key={`labels:${featureKeyString(labelKey)}`}
          feature={labelKey}
          teamId={props.circuit.teamId}
          canComment={props.canComment}
          onLabelsChanged={props.onLabelsChanged}
        />
      )}
      {!props.standalone && (
        <CommentThread
          key={`node-${id}`}
          refreshKey={props.commentTick}
          target={{ type: 'NODE', circuitId: props.circuit.id, nodeId: id }}
          canComment={props.canComment}
          title={`Comments on ${name}`}
        />
      )}
    </div>
  );
}

/**
 * The feature's labels in the circuit's team, with a "Propose a label" form for those who may comment on the circuit
 * and are members of its team (the API lets only members propose); votes and edits follow each label's `can`.
 */
function FeatureLabelSection({
  feature,
  teamId,
  canComment,
  onLabelsChanged,
}: {
  feature: FeatureKey;
  teamId: string;
  canComment: boolean;
  onLabelsChanged?: () => void;
}) {
  const teams = useQuery(MY_TEAMS, {
    skip: !canComment,
    fetchPolicy: 'cache-first',
  });
  const team = teams.data?.myTeams.find((t) => t.id === teamId);
  const member = Boolean(canComment && team?.can.proposeLabels);
  return (
    <section className="stack" aria-label="Feature labels" data-testid="inspector-labels">
      <h3 className="section-title">Labels{team ? ` in ${team.name}` : ''}</h3>
      <FeatureLabels
        feature={feature}
        onlyTeamId={teamId}
        proposeTeam={member && team ? { id: team.id, name: team.name } : null}
        proposeNote={
          canComment &&
          teams.data &&
          !member && <p className="muted small">Only members of the circuit’s team propose and vote on its labels.</p>
        }
        onChanged={onLabelsChanged}
      />
    </section>
  );
}

function GroupInspector(props: InspectorProps & { id: string }) {
  const { doc, id, store } = props;
  const group = doc.groups.find((g) => g.id === id)!;
  const [name, setName] = useState(group.label);
  useEffect(() => setName(group.label), [group.label]);
  return (
    <div className="stack panel-body" data-testid="group-inspector">
      <h2 className="section-title">{group.label}</h2>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim()) store.dispatch(commands.renameGroup(id, name.trim()));
        }}
      >
        <input value={name} onChange={(event) => setName(event.target.value)} aria-label="Supernode name" />
        <button type="submit" className="small">
          Rename
        </button>
      </form>
      <p className="small muted">{group.nodeIds.length} members:</p>
      <ul className="small plain">
        {group.nodeIds.map((member) => (
          <li key={member}>{member}</li>
        ))}
      </ul>
      <button type="button" className="secondary small" onClick={() => store.dispatch(commands.ungroup([id]))}>
        Ungroup (U)
      </button>
    </div>
  );
}

function EdgeInspector(props: InspectorProps & { id: string }) {
  const { doc, id, store } = props;
  const [source, target] = id.split('->');
  const edge = doc.graph.edges.find((e) => e.source === source && e.target === target);
  return (
    <div className="stack panel-body" data-testid="edge-inspector">
      <h2 className="section-title">
        {source} → {target}
      </h2>
      <dl className="facts small">
        <dt>Weight</dt>
        <dd>{edge ? formatNumber(edge.weight ?? 0) : 'sum over a supernode'}</dd>
      </dl>
      <AnnotationForm key={id} kind="edges" id={id} store={store} doc={doc} canEdit={annotates(props)} />
      {!props.standalone && (
        <CommentThread
          key={`edge-${id}`}
          refreshKey={props.commentTick}
          target={{ type: 'EDGE', circuitId: props.circuit.id, edgeId: id }}
          canComment={props.canComment}
          title={`Comments on ${id}`}
        />
      )}
    </div>
  );
}
