/**
 * Three-way merge of circuit versions: the version an edit started from (base), the version saved since (theirs)
 * and the edit (mine). Each version is flattened into entries keyed by what they are about (a node, an edge, a
 * node's position, a supernode, a node's label or note, a pin, any other field of the graph or layout); an entry
 * only one side changed takes that side's value, one both changed alike is kept, and one both changed differently
 * is a conflict the user resolves by picking a side. Nothing either side did is dropped without being shown.
 *
 * Written here rather than with a JSON-patch library: the merge must be keyed by node, edge and supernode id (not by
 * array index) and must know that a label belongs to a node, which generic JSON merges do not.
 */
import equal from 'fast-deep-equal';
import type { EditorDoc } from './editor-store';
import { contentFromDoc, docFromContent } from './editor-store';
import {
  type Annotation,
  type CircuitContent,
  edgeKey,
  type Graph,
  type GraphEdge,
  type GraphNode,
  type Group,
  type Point,
  pinnedIdsInGraph,
} from './graph';

export type Side = 'theirs' | 'mine';

export interface MergeConflict {
  /** The entry's key: stable, used to record the user's pick. */
  key: string;
  /** What it is about, for people: "label of node 3_234_1". */
  what: string;
  /** The node, edge or supernode to select to look at it. */
  target: string;
  base: unknown;
  theirs: unknown;
  mine: unknown;
}

export interface MergeResult {
  conflicts: MergeConflict[];
  /** The merged document with the given picks (a conflict not picked takes mine). */
  resolve(picks?: Record<string, Side>): EditorDoc;
  /** How many entries each side changed that the merge took from it. */
  taken: Record<Side, number>;
}

type Entries = Map<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One document as flat entries. Pins are kept apart from the graph's qParams, where the save writes them back. */
function entriesOf(doc: EditorDoc): Entries {
  const content = contentFromDoc(doc);
  const entries: Entries = new Map();
  const { nodes, edges, qParams, ...graphRest } = content.graph;
  for (const node of nodes) entries.set(`node:${node.id}`, node);
  for (const edge of edges) entries.set(`edge:${edgeKey(edge)}`, edge);
  for (const [field, value] of Object.entries(graphRest)) entries.set(`graph:${field}`, value);
  if (isRecord(qParams)) {
    for (const [field, value] of Object.entries(qParams))
      if (field !== 'pinnedIds') entries.set(`qParams:${field}`, value);
  } else if (qParams !== undefined) entries.set('graph:qParams', qParams);
  const { positions, ...layoutRest } = content.layout;
  for (const [id, point] of Object.entries(positions ?? {})) entries.set(`position:${id}`, point);
  for (const [field, value] of Object.entries(layoutRest)) entries.set(`layout:${field}`, value);
  for (const group of content.groups) entries.set(`group:${group.id}`, group);
  for (const kind of ['nodes', 'edges'] as const)
    for (const [id, annotation] of Object.entries(content.annotations[kind])) {
      if (annotation.label) entries.set(`label:${kind}:${id}`, annotation.label);
      if (annotation.note) entries.set(`note:${kind}:${id}`, annotation.note);
    }
  for (const id of Object.keys(doc.pinned)) entries.set(`pin:${id}`, true);
  return entries;
}

/** What an entry is about, in words, and what to select to see it. */
function describe(key: string): { what: string; target: string } {
  const [kind, ...rest] = key.split(':');
  const id = rest.join(':');
  switch (kind) {
    case 'node':
      return { what: `node ${id}`, target: id };
    case 'edge':
      return { what: `edge ${id}`, target: id };
    case 'position':
      return { what: `position of node ${id}`, target: id };
    case 'group':
      return { what: `supernode ${id}`, target: id };
    case 'label':
    case 'note': {
      const [on, ...name] = rest;
      const target = name.join(':');
      return { what: `${kind} of ${on === 'nodes' ? 'node' : 'edge'} ${target}`, target };
    }
    case 'pin':
      return { what: `pin of node ${id}`, target: id };
    default:
      return { what: `${kind === 'qParams' ? 'qParams' : kind} field “${id}”`, target: '' };
  }
}

/** The node a label or note entry (`label:nodes:{id}`) belongs to. */
const ownerNode = (key: string): string => key.split(':').slice(2).join(':');

/** An edge that came or went with one of its nodes: part of that node's change, not one of its own. */
function followsNode(key: string, base: Entries, side: Entries): boolean {
  if (!key.startsWith('edge:')) return false;
  const edge = (side.get(key) ?? base.get(key)) as GraphEdge;
  return [edge.source, edge.target].some((id) => base.has(`node:${id}`) !== side.has(`node:${id}`));
}

/**
 * Merges `mine` (the edit) and `theirs` (saved since) on top of `base` (where the edit started). Build `theirs` with
 * the pins the editor has from its URL (`urlPins(base)`), as the other two have them.
 */
export function mergeDocs(base: EditorDoc, theirs: EditorDoc, mine: EditorDoc): MergeResult {
  const [b, t, m] = [entriesOf(base), entriesOf(theirs), entriesOf(mine)];
  const merged: Entries = new Map();
  const conflicts: MergeConflict[] = [];
  const taken: Record<Side, number> = { theirs: 0, mine: 0 };
  for (const key of new Set([...b.keys(), ...t.keys(), ...m.keys()])) {
    const [bv, tv, mv] = [b.get(key), t.get(key), m.get(key)];
    if (equal(tv, mv)) {
      if (tv !== undefined) merged.set(key, tv);
    } else if (equal(bv, tv)) {
      if (!followsNode(key, b, m)) taken.mine++;
      if (mv !== undefined) merged.set(key, mv);
    } else if (equal(bv, mv)) {
      if (!followsNode(key, b, t)) taken.theirs++;
      if (tv !== undefined) merged.set(key, tv);
    } else conflicts.push({ key, ...describe(key), base: bv, theirs: tv, mine: mv });
  }
  // A node one side removed while the other labeled or annotated it: the removal would silently take the label
  // with it, so that is a conflict too (on the node: keep it with the label, or remove it).
  for (const key of new Set([...t.keys(), ...m.keys()])) {
    if (!key.startsWith('label:nodes:') && !key.startsWith('note:nodes:')) continue;
    const nodeKey = `node:${ownerNode(key)}`;
    if (merged.has(nodeKey) || !b.has(nodeKey) || conflicts.some((c) => c.key === nodeKey)) continue;
    if (equal(b.get(key), t.get(key)) && equal(b.get(key), m.get(key))) continue;
    conflicts.push({
      key: nodeKey,
      ...describe(nodeKey),
      base: b.get(nodeKey),
      theirs: t.get(nodeKey),
      mine: m.get(nodeKey),
    });
  }
  const sides = { theirs: t, mine: m };
  return {
    conflicts,
    taken,
    resolve(picks = {}) {
      const entries = new Map(merged);
      for (const conflict of conflicts) {
        const value = sides[picks[conflict.key] ?? 'mine'].get(conflict.key);
        if (value === undefined) entries.delete(conflict.key);
        else entries.set(conflict.key, value);
      }
      restoreEdgesOfKeptNodes(entries, [b, t, m]);
      return docOf(entries, [t, m], theirs, mine);
    },
  };
}

/**
 * Removing a node removes its edges; when the merge keeps the node after all (the other side labeled it and the user
 * kept it), its edges come back with it, from whichever version still has them.
 */
function restoreEdgesOfKeptNodes(entries: Entries, versions: Entries[]): void {
  for (const version of versions)
    for (const [key, value] of version) {
      if (!key.startsWith('edge:') || entries.has(key)) continue;
      const edge = value as GraphEdge;
      const removedWithNode = versions.some(
        (v) => !v.has(key) && (!v.has(`node:${edge.source}`) || !v.has(`node:${edge.target}`)),
      );
      if (removedWithNode && entries.has(`node:${edge.source}`) && entries.has(`node:${edge.target}`))
        entries.set(key, value);
    }
}

/** Builds the document back from merged entries, in the order of theirs, then what only mine has. */
function docOf(entries: Entries, orderFrom: Entries[], theirs: EditorDoc, mine: EditorDoc): EditorDoc {
  const keys = [...new Set([...orderFrom.flatMap((e) => [...e.keys()]), ...entries.keys()])].filter((k) =>
    entries.has(k),
  );
  const of = <T>(prefix: string) =>
    keys.filter((k) => k.startsWith(prefix)).map((k) => [k.slice(prefix.length), entries.get(k) as T] as const);
  const nodes = of<GraphNode>('node:').map(([, node]) => node);
  const present = new Set(nodes.map((n) => n.id));
  const edges = of<GraphEdge>('edge:')
    .map(([, edge]) => edge)
    .filter((e) => present.has(e.source) && present.has(e.target));
  const graph: Graph = { nodes, edges };
  for (const [field, value] of of<unknown>('graph:')) graph[field] = value;
  const qParams = of<unknown>('qParams:');
  const hadQParams = isRecord(theirs.graph.qParams) || isRecord(mine.graph.qParams);
  if (qParams.length || hadQParams) graph.qParams = Object.fromEntries(qParams);
  const layout: CircuitContent['layout'] = Object.fromEntries(of<unknown>('layout:'));
  const positions = Object.fromEntries(of<Point>('position:').filter(([id]) => present.has(id)));
  if (Object.keys(positions).length) layout.positions = positions;
  const groups = of<Group>('group:')
    .map(([, g]) => ({ ...g, nodeIds: g.nodeIds.filter((id) => present.has(id)) }))
    .filter((g) => g.nodeIds.length > 0);
  const annotations: CircuitContent['annotations'] = { nodes: {}, edges: {} };
  for (const field of ['label', 'note'] as const)
    for (const kind of ['nodes', 'edges'] as const)
      for (const [id, text] of of<string>(`${field}:${kind}:`)) {
        const annotation: Annotation = { ...annotations[kind][id], [field]: text };
        annotations[kind][id] = annotation;
      }
  const doc = docFromContent({ graph, layout, groups, annotations });
  const pinned = Object.fromEntries(
    of<true>('pin:')
      .filter(([id]) => present.has(id))
      .map(([id]) => [id, true as const]),
  );
  return { ...doc, pinned };
}

/** Pins a document has from its URL rather than its graph: every side of a merge shares them. */
export function urlPins(doc: EditorDoc): string[] {
  const inGraph = new Set(pinnedIdsInGraph(doc.graph));
  return Object.keys(doc.pinned).filter((id) => !inGraph.has(id));
}

/**
 * The version of `slug` a file was exported from by this editor's "Graph JSON" export (`{slug, version, graph, ...}`),
 * or null for any other file.
 */
export function exportedVersionOf(json: unknown, slug: string): number | null {
  if (!isRecord(json) || json.slug !== slug || !isRecord(json.graph)) return null;
  return Number.isInteger(json.version) && (json.version as number) >= 1 ? (json.version as number) : null;
}
