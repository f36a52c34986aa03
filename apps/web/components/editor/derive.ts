import { type Edge, type Node, type NodeHandle, Position } from '@xyflow/react';
import type { DiffMark, DiffView, EditorDoc } from '../../lib/editor-store';

export type { DiffMark, DiffView };

import {
  computedNodeText,
  edgeKey,
  featureKeyOf,
  featureKeyString,
  type GraphEdge,
  type GraphNode,
  influenceOf,
  type NodeLook,
  nodeLookOf,
  positionOf,
} from '../../lib/graph';
import type { Positions } from '../../lib/layout';
import type { NodeLabel } from '../../lib/node-labels';
import { type NodeType, nodeTypeOf } from '../../lib/node-types';

export interface FeatureNodeData extends Record<string, unknown> {
  title: string;
  subtitle: string;
  activation?: number;
  influence?: number;
  /** Activation relative to the graph's largest |activation|, 0..1. */
  strength: number;
  pinned: boolean;
  diff?: DiffMark;
  note: boolean;
  /** Supernodes: how many members. */
  members?: number;
  /** Colour by submodule; error nodes are drawn differently. */
  look?: NodeLook;
  /** What the node is (CLT, transcoder or SAE feature, error, embedding, logit, ...): its badge. */
  nodeType?: NodeType;
  labelStatus?: string;
}

export interface Derived {
  nodes: Node<FeatureNodeData>[];
  edges: Edge[];
  shownNodes: number;
  shownEdges: number;
  /** Display id of each node (its supernode's id when grouped). */
  displayOf: Map<string, string>;
}

export interface DeriveInput {
  doc: EditorDoc;
  positions: Positions;
  edgeThreshold: number;
  /** The nodes that pass the node threshold (see visibleNodeIds). */
  visible: Set<string>;
  selected: ReadonlySet<string>;
  labels: Map<string, NodeLabel>;
  diff: DiffView | null;
}

/** Every node has a fixed size and fixed handles, so React Flow can cull off-screen nodes without first rendering
 * all of them to measure (it force-renders nodes whose handles it does not know). */
export const NODE_W = 132;
export const NODE_H = 44;
const HANDLES: NodeHandle[] = [
  { type: 'source', position: Position.Top, x: NODE_W / 2 - 2, y: -2, width: 4, height: 4 },
  { type: 'target', position: Position.Bottom, x: NODE_W / 2 - 2, y: NODE_H - 2, width: 4, height: 4 },
];
/** Fresh per node: React Flow writes measured sizes into `measured`. With `measured` known, fitView counts nodes
 * that were never rendered. */
const size = () => ({ width: NODE_W, height: NODE_H, measured: { width: NODE_W, height: NODE_H }, handles: HANDLES });

const POSITIVE = '#3565c9';
const NEGATIVE = '#d2453b';
const DIFF_COLOUR: Record<DiffMark, string> = { added: '#1f9d55', changed: '#d39b00', removed: '#d2453b' };

/** Reuses node and edge objects whose content did not change, so React Flow re-renders only what changed. */
export class DeriveCache {
  private nodes = new Map<string, { sig: string; node: Node<FeatureNodeData> }>();
  private edges = new Map<string, { sig: string; edge: Edge }>();

  node(id: string, sig: string, make: () => Node<FeatureNodeData>): Node<FeatureNodeData> {
    const hit = this.nodes.get(id);
    if (hit && hit.sig === sig) return hit.node;
    const node = make();
    this.nodes.set(id, { sig, node });
    return node;
  }

  edge(id: string, sig: string, make: () => Edge): Edge {
    const hit = this.edges.get(id);
    if (hit && hit.sig === sig) return hit.edge;
    const edge = make();
    this.edges.set(id, { sig, edge });
    return edge;
  }
}

const fmt = (value: number | undefined) =>
  value === undefined ? '' : Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(2);

/** A readable name for another tool's node without a clerp: "L3 #2079", "L3 error", "embed @4". */
function genericName(node: GraphNode): string | undefined {
  const type = String(node.feature_type ?? '');
  const position = positionOf(node);
  if (type === 'embedding' || node.layer === 'E') return position === undefined ? 'embed' : `embed @${position}`;
  if (node.layer === undefined || node.layer === null || node.layer === '') return undefined;
  if (/error/.test(type)) return `L${node.layer} error`;
  return typeof node.feature === 'number' ? `L${node.layer} #${node.feature}` : undefined;
}

/** Output nodes (the metric, logits) are what the circuit explains: no threshold hides them. */
export const isOutputNode = (node: GraphNode, graph: EditorDoc['graph']) =>
  nodeLookOf(node, graph).submodule === 'output';

/** |effect| of the nodes a threshold can hide (what the default pruning and "show more" count). */
export function prunableMagnitudes(graph: EditorDoc['graph']): number[] {
  return graph.nodes.flatMap((node) => {
    const influence = influenceOf(node);
    return influence === undefined || isOutputNode(node, graph) ? [] : [Math.abs(influence)];
  });
}

/**
 * Nodes that are drawn: not hidden, and pinned, in a supernode, an output, without an effect, or with |effect| at
 * least the threshold.
 */
export function visibleNodeIds(
  doc: Pick<EditorDoc, 'graph' | 'hidden' | 'groups' | 'pinned'>,
  nodeThreshold: number,
): Set<string> {
  const grouped = new Set(doc.groups.flatMap((g) => g.nodeIds));
  const visible = new Set<string>();
  for (const node of doc.graph.nodes) {
    if (doc.hidden[node.id]) continue;
    const influence = influenceOf(node);
    if (
      doc.pinned[node.id] ||
      influence === undefined ||
      Math.abs(influence) >= nodeThreshold ||
      grouped.has(node.id) ||
      isOutputNode(node, doc.graph)
    ) {
      visible.add(node.id);
    }
  }
  return visible;
}

/** The graph React Flow draws: hidden and below-threshold parts dropped, supernodes collapsed, diff ghosts added. */
export function derive(input: DeriveInput, cache: DeriveCache): Derived {
  const { doc, positions, edgeThreshold, visible, selected, labels, diff } = input;
  const maxActivation = Math.max(
    1e-9,
    ...doc.graph.nodes.map((n) => (typeof n.activation === 'number' ? Math.abs(n.activation) : 0)),
  );
  const maxWeight = Math.max(1e-9, ...doc.graph.edges.map((e) => Math.abs(e.weight ?? 0)));
  const groupOf = new Map<string, string>();
  for (const group of doc.groups) for (const member of group.nodeIds) groupOf.set(member, group.id);

  const displayOf = new Map<string, string>();
  for (const id of visible) displayOf.set(id, groupOf.get(id) ?? id);

  const nodes: Node<FeatureNodeData>[] = [];
  for (const node of doc.graph.nodes) {
    if (!visible.has(node.id) || groupOf.has(node.id)) continue;
    const position = doc.positions[node.id] ?? positions[node.id];
    if (!position) continue;
    const annotation = doc.annotations.nodes[node.id];
    const key = featureKeyOf(node, doc.graph);
    const label = key ? labels.get(featureKeyString(key)) : undefined;
    const computed = computedNodeText(node, doc.graph);
    const clerp = typeof node.clerp === 'string' && node.clerp ? node.clerp : undefined;
    const title = annotation?.label ?? label?.name ?? clerp ?? computed?.name ?? genericName(node) ?? node.id;
    const activation = typeof node.activation === 'number' ? node.activation : undefined;
    const influence = influenceOf(node);
    const pinned = Boolean(doc.pinned[node.id]);
    const mark = diff?.nodes[node.id];
    const isSelected = selected.has(node.id);
    const look = nodeLookOf(node, doc.graph);
    const nodeType = nodeTypeOf(node, doc.graph);
    const sig = `${position.x},${position.y}|${title}|${pinned}|${mark}|${isSelected}|${Boolean(annotation?.note)}|${label?.status}|${look.submodule}|${look.error}|${nodeType}`;
    nodes.push(
      cache.node(node.id, sig, () => ({
        id: node.id,
        type: 'feature',
        position,
        ...size(),
        selected: isSelected,
        data: {
          title,
          subtitle: computed
            ? `${title === computed.name ? '' : `${computed.name} · `}${computed.place}`
            : key
              ? `#${key.featureIndex} · L${node.layer ?? '?'}`
              : node.id,
          activation,
          influence,
          strength: activation === undefined ? 0 : Math.min(1, Math.abs(activation) / maxActivation),
          pinned,
          diff: mark,
          note: Boolean(annotation?.note),
          labelStatus: annotation?.label ? undefined : label?.status,
          look,
          nodeType,
        },
      })),
    );
  }

  const nodeById = new Map(doc.graph.nodes.map((n) => [n.id, n]));
  for (const group of doc.groups) {
    const members = group.nodeIds.filter((id) => visible.has(id));
    if (!members.length) continue;
    let x = 0;
    let y = 0;
    let activation = 0;
    let influence = 0;
    let placed = 0;
    // The card stands where the layout put it (it gives every member the card's slot), unless the user placed every
    // member (moving the card moves them): a member dragged alone before grouping must not pull it over a neighbour.
    const placedByUser = members.every((id) => doc.positions[id]);
    for (const id of members) {
      const p = placedByUser ? doc.positions[id] : positions[id];
      if (!p) continue;
      x += p.x;
      y += p.y;
      placed++;
    }
    if (!placed) continue;
    // Summed over the members it draws (a hidden one is left out of the saved graph), as its "n nodes" counts them.
    for (const member of members) {
      const node = nodeById.get(member);
      if (!node || groupOf.get(member) !== group.id) continue;
      activation += typeof node.activation === 'number' ? node.activation : 0;
      influence += influenceOf(node) ?? 0;
    }
    const position = { x: x / placed, y: y / placed };
    const isSelected = selected.has(group.id);
    const pinned = members.some((id) => doc.pinned[id]);
    const sig = `${position.x},${position.y}|${group.label}|${members.length}|${isSelected}|${pinned}`;
    nodes.push(
      cache.node(group.id, sig, () => ({
        id: group.id,
        type: 'supernode',
        position,
        ...size(),
        selected: isSelected,
        data: {
          title: group.label,
          subtitle: `supernode · ${members.length} nodes`,
          activation,
          influence,
          strength: Math.min(1, Math.abs(activation) / maxActivation),
          pinned,
          note: false,
          members: members.length,
        },
      })),
    );
  }

  // Edges between displayed nodes; edges into a supernode are summed; edges inside one are dropped.
  const merged = new Map<string, { source: string; target: string; weight: number; original?: GraphEdge }>();
  for (const edge of doc.graph.edges) {
    const source = displayOf.get(edge.source);
    const target = displayOf.get(edge.target);
    if (!source || !target || source === target) continue;
    const id = edgeKey({ source, target });
    const weight = edge.weight ?? 0;
    const entry = merged.get(id);
    if (entry) {
      entry.weight += weight;
      entry.original = undefined;
    } else merged.set(id, { source, target, weight, original: edge });
  }
  // With nodes selected, their edges stand out and the rest fade. Edges stay under the nodes (not elevated), so
  // they never take a click meant for a node.
  const focus = nodes.some((n) => selected.has(n.id));
  const edges: Edge[] = [];
  for (const [id, entry] of merged) {
    if (Math.abs(entry.weight) < edgeThreshold) continue;
    const mark = entry.original ? diff?.edges[edgeKey(entry.original)] : undefined;
    const isSelected = selected.has(id);
    const note = doc.annotations.edges[id];
    const emphasis = !focus ? 'plain' : selected.has(entry.source) || selected.has(entry.target) ? 'focus' : 'faded';
    const sig = `${entry.weight}|${mark}|${isSelected}|${note?.label ?? ''}|${emphasis}`;
    edges.push(
      cache.edge(id, sig, () => {
        const width = 0.6 + 4 * Math.min(1, Math.abs(entry.weight) / maxWeight);
        const colour = mark ? DIFF_COLOUR[mark] : entry.weight >= 0 ? POSITIVE : NEGATIVE;
        return {
          id,
          source: entry.source,
          target: entry.target,
          selected: isSelected,
          label: note?.label,
          data: { weight: entry.weight },
          className: mark ? `edge-diff-${mark}` : emphasis === 'focus' ? 'edge-of-selection' : undefined,
          style: {
            stroke: colour,
            strokeWidth: isSelected || emphasis === 'focus' ? width + 1.5 : width,
            opacity: mark || emphasis === 'focus' ? 1 : emphasis === 'faded' ? 0.15 : 0.75,
          },
          ariaLabel: `Edge ${id}, weight ${fmt(entry.weight)}`,
        };
      }),
    );
  }

  if (diff) {
    for (const node of diff.ghostNodes) {
      const position = positions[node.id];
      if (!position) continue;
      nodes.push(
        cache.node(`ghost:${node.id}`, `${position.x},${position.y}`, () => ({
          id: `ghost:${node.id}`,
          type: 'feature',
          position,
          ...size(),
          selectable: false,
          draggable: false,
          data: {
            title: String(node.clerp || node.id),
            subtitle: 'removed',
            strength: 0,
            pinned: false,
            diff: 'removed',
            note: false,
          },
        })),
      );
    }
    const shown = new Set(nodes.map((n) => n.id));
    const endpoint = (id: string) => (shown.has(`ghost:${id}`) ? `ghost:${id}` : displayOf.get(id));
    for (const edge of diff.ghostEdges) {
      const source = endpoint(edge.source);
      const target = endpoint(edge.target);
      if (!source || !target || source === target) continue;
      const id = `ghost:${edgeKey(edge)}`;
      edges.push(
        cache.edge(id, `${source}|${target}`, () => ({
          id,
          source,
          target,
          selectable: false,
          className: 'edge-diff-removed',
          style: { stroke: DIFF_COLOUR.removed, strokeWidth: 1.5, strokeDasharray: '5 4', opacity: 0.8 },
        })),
      );
    }
  }

  return {
    nodes,
    edges,
    shownNodes: nodes.length,
    shownEdges: edges.length,
    displayOf,
  };
}

export { fmt as formatNumber };
