'use client';

import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Viewport,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import Link from 'next/link';
import { type ChangeEvent, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  commands,
  contentFromDoc,
  type DiffView,
  docFromContent,
  type EditorDoc,
  EditorStore,
  type EditorView,
  useEditor,
} from '../../lib/editor-store';
import { errorExtensions, errorMessage } from '../../lib/errors';
import { evidenceListed } from '../../lib/evidence-cache';
import { CIRCUIT_EVIDENCE } from '../../lib/evidence-operations';
import {
  type CircuitContent,
  type Graph,
  type GraphNode,
  influenceOf,
  normalizeContent,
  type Point,
  parseCircuitJson,
  toAttributionGraph,
} from '../../lib/graph';
import { exportedVersionOf, mergeDocs, type Side, urlPins } from '../../lib/merge';
import { graphSupport, labelFeatureKey, linkedFeatureKey } from '../../lib/model-support';
import { useAppRouter } from '../../lib/navigation';
import { useNodeLabels } from '../../lib/node-labels';
import { NODE_TYPES, nodeTypeCounts } from '../../lib/node-types';
import { BUILDER_MODELS, CIRCUIT_CHANGED, CIRCUIT_META, SAVE_VERSION } from '../../lib/operations';
import { defaultThreshold, moreThreshold } from '../../lib/pruning';
import { LOW_FAITHFULNESS } from '../../lib/quality';
import { withShare } from '../../lib/share';
import { useKeptUnsavedEdits } from '../../lib/unsaved-edits';
import { CircuitStatus } from '../CircuitStatus';
import { Dialog } from '../Dialog';
import { TopBar } from '../TopBar';
import { CanvasLayer } from './CanvasLayer';
import { CanvasMiniMap } from './CanvasMiniMap';
import { faithfulnessOf } from './CircuitQuality';
import { ReviewPanel, ShareDialog } from './Collab';
import { DeriveCache, derive, type FeatureNodeData, prunableMagnitudes, visibleNodeIds } from './derive';
import { EvaluateSelection } from './EvaluateSelection';
import { nodeTypes } from './FlowNodes';
import { GridHeaders } from './GridHeaders';
import { GroupDialog } from './GroupDialog';
import { Inspector } from './Inspector';
import { MergeDialog, type PendingImport, type PendingMerge } from './MergeDialog';
import { NodeHoverCard } from './NodeHoverCard';
import { type ShortcutActions, ShortcutsDialog, useEditorShortcuts } from './shortcuts';
import type { CircuitInfo, VersionData } from './types';
import { readViewState, type ViewState, writeViewState } from './url-state';
import { useCircuitDiff } from './use-circuit-diff';
import { useCircuitLayout } from './use-circuit-layout';
import { useHoverCard } from './use-hover-card';
import { useVersionFetcher } from './use-version-fetcher';
import { VersionsPanel } from './VersionsPanel';

interface EditorProps {
  circuit: CircuitInfo;
  version: VersionData;
  /** The version number in the URL (/c/{slug}/v/{n}), or null for the latest. */
  pinnedVersion: number | null;
  shareToken: string | null;
  loading: boolean;
  refetch: () => void;
  /**
   * A circuit that is not stored (the walkthrough's): no versions, reviews, comments, live updates or model runs for
   * it; the banner says what it is and how to keep it (given the editor's content as it is now, edits included).
   * Everything else (drawing, pruning, inspecting, feature links, hiding and grouping, export) works as for a stored
   * one. Its unsaved edits are kept in the tab under the circuit's slug (unsaved-edits.ts), so a trip to sign in
   * (to save it) does not lose them.
   */
  standalone?: { banner: (current: () => CircuitContent) => ReactNode };
}

/** Edges shown at first: at most this many, by |weight| (the slider shows the threshold; lower it to see more). */
const DEFAULT_EDGE_BUDGET = 3000;
/** Below this zoom nodes show only their name, larger (lod-mid); below LOW_DETAIL_ZOOM they are plain boxes. */
const MID_DETAIL_ZOOM = 0.95;
const LOW_DETAIL_ZOOM = 0.3;
/** Above this many drawn nodes, open at OPENING_ZOOM on the output end rather than fitting the whole graph. */
const LARGE_GRAPH = 300;
const OPENING_ZOOM = 0.8;
/** Below this zoom, big circuits are painted on a canvas (see CanvasLayer) instead of as DOM nodes and SVG edges. */
const CANVAS_ZOOM = 0.3;
const NO_EDGES: Edge[] = [];
/** Shift+click and Ctrl/Cmd+click add to the selection (Shift+drag still draws a selection box). */
const MULTI_SELECT_KEYS = ['Shift', 'Control', 'Meta'];
/** Room around a fitted graph for the token headers (top) and row names (left). */
const FIT_PADDING = { top: '40px', left: '78px', right: '16px', bottom: '48px' } as const;

/** The edge threshold that draws at most DEFAULT_EDGE_BUDGET edges (by |weight|) among the nodes a node threshold
 * shows: more SVG edges than that make panning slow. */
function edgeBudgetThreshold(graph: Graph, nodeThreshold: number): number {
  const shown = visibleNodeIds({ graph, hidden: {}, groups: [], pinned: {} }, nodeThreshold);
  const weights = graph.edges.flatMap((e) =>
    shown.has(e.source) && shown.has(e.target) ? [Math.abs(e.weight ?? 0)] : [],
  );
  return weights.length > DEFAULT_EDGE_BUDGET ? (weights.sort((a, b) => b - a)[DEFAULT_EDGE_BUDGET - 1] ?? 0) : 0;
}

/** Thresholds a graph opens with: the nodes that carry most of the effect (see pruning.ts) and the edge budget. */
function defaultThresholds(graph: Graph): { edgeThreshold: number; nodeThreshold: number } {
  const nodeThreshold = defaultThreshold(prunableMagnitudes(graph));
  return { edgeThreshold: edgeBudgetThreshold(graph, nodeThreshold), nodeThreshold };
}

/** The view a circuit opens with: what the URL says, else the graph's default thresholds. */
function initialEditorView(graph: Graph, url: ViewState): Partial<EditorView> {
  const nodeThreshold = url.nodeThreshold ?? defaultThreshold(prunableMagnitudes(graph));
  return {
    selected: new Set(url.selected),
    viewport: url.viewport,
    edgeThreshold: url.edgeThreshold ?? edgeBudgetThreshold(graph, nodeThreshold),
    nodeThreshold,
  };
}

function detailAt(zoom: number): 'full' | 'mid' | 'low' {
  return zoom >= MID_DETAIL_ZOOM ? 'full' : zoom >= LOW_DETAIL_ZOOM ? 'mid' : 'low';
}

export function CircuitEditor(props: EditorProps) {
  return (
    <ReactFlowProvider>
      <EditorInner {...props} />
    </ReactFlowProvider>
  );
}

function download(url: string, filename: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

/** A toolbar button; `shortcut` names the key the editor's key handler binds to the same action. */
function ToolButton({
  onClick,
  disabled,
  shortcut,
  title,
  children,
}: {
  onClick: () => void;
  disabled: boolean;
  shortcut: string;
  title?: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="secondary small"
      onClick={onClick}
      disabled={disabled}
      aria-keyshortcuts={shortcut}
      title={title}
    >
      {children}
    </button>
  );
}

function EditorInner({ circuit, version, pinnedVersion, shareToken, loading, refetch, standalone }: EditorProps) {
  const router = useAppRouter();
  const flow = useReactFlow();
  const [initialView] = useState(() => readViewState(new URLSearchParams(window.location.search)));
  const [store] = useState(() => {
    const content = normalizeContent(version);
    return new EditorStore(docFromContent(content, initialView.pinned), initialEditorView(content.graph, initialView));
  });
  const doc = useEditor(store, (s) => s.doc);
  const canUndo = useEditor(store, (s) => s.past.length > 0);
  const canRedo = useEditor(store, (s) => s.future.length > 0);
  const undoLabel = useEditor(store, (s) => s.past.at(-1)?.command.label);
  const redoLabel = useEditor(store, (s) => s.future[0]?.command.label);
  const dirty = useEditor(store, (s) => s.doc !== s.saved);
  const [baseNumber, setBaseNumber] = useState(version.number);
  const mySaves = useRef(new Set<number>());

  const { edit: canEdit, comment: canComment, manage: canManage } = circuit.can;

  const meta = useQuery(CIRCUIT_META, {
    variables: { slug: circuit.slug },
    skip: circuit.onlyVersion !== null || Boolean(standalone),
  });
  const info = meta.data?.circuit ?? circuit;
  // The models and SAEs this workbench has: a graph made with others opens read-only for analysis (see
  // model-support.ts), its features without feature pages. Until they are known, no feature links.
  const appModels = useQuery(BUILDER_MODELS, { fetchPolicy: 'cache-first' });
  const models = appModels.data?.models ?? null;
  const support = useMemo(() => (models ? graphSupport(doc.graph, models) : null), [doc.graph, models]);
  const linkOf = useCallback(
    (node: GraphNode) => (models ? linkedFeatureKey(node, doc.graph, models) : null),
    [doc.graph, models],
  );
  const labelKeyOf = useCallback(
    (node: GraphNode) => (models ? labelFeatureKey(node, doc.graph, models) : null),
    [doc.graph, models],
  );
  const typeCounts = useMemo(() => nodeTypeCounts(doc.graph), [doc.graph]);

  // Another version arrived (opened from history, or a teammate's save while we had no edits): start from it.
  const lastVersion = useRef(version);
  useEffect(() => {
    if (loading || version === lastVersion.current) return;
    lastVersion.current = version;
    if (version.number === baseNumber) return;
    store.reset(docFromContent(normalizeContent(version), Object.keys(store.getState().doc.pinned)));
    setBaseNumber(version.number);
  }, [version, loading, baseNumber, store]);

  // ---- thresholds, selection, viewport: view state in the URL ----
  const maxWeight = useMemo(() => Math.max(0, ...doc.graph.edges.map((e) => Math.abs(e.weight ?? 0))), [doc.graph]);
  const maxInfluence = useMemo(
    () => Math.max(0, ...doc.graph.nodes.map((n) => Math.abs(influenceOf(n) ?? 0))),
    [doc.graph],
  );
  // The view lives in the editor store beside the document (never undone); these read and set its parts.
  const selected = useEditor(store, (s) => s.view.selected);
  const viewport = useEditor(store, (s) => s.view.viewport);
  const edgeThreshold = useEditor(store, (s) => s.view.edgeThreshold);
  const nodeThreshold = useEditor(store, (s) => s.view.nodeThreshold);
  const diff = useEditor(store, (s) => s.view.diff);
  const setSelected = useCallback(
    (next: ReadonlySet<string> | ((previous: ReadonlySet<string>) => ReadonlySet<string>)) =>
      store.setView((view) => ({ selected: typeof next === 'function' ? next(view.selected) : next })),
    [store],
  );
  const setEdgeThreshold = (edgeThreshold: number) => store.setView({ edgeThreshold });
  const setNodeThreshold = (nodeThreshold: number) => store.setView({ nodeThreshold });
  const setViewport = useCallback((viewport: Viewport) => store.setView({ viewport }), [store]);
  const setDiff = useCallback((diff: DiffView | null) => store.setView({ diff }), [store]);
  const magnitudes = useMemo(() => prunableMagnitudes(doc.graph), [doc.graph]);
  const openingThreshold = useMemo(() => defaultThreshold(magnitudes), [magnitudes]);
  const [detail, setDetail] = useState(() => detailAt(initialView.viewport?.zoom ?? 1));

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    // Written a moment after the last change; while a navigation is loading the write waits (see lib/navigation).
    const write = () => {
      const path = pinnedVersion === null ? window.location.pathname : `/c/${circuit.slug}/v/${baseNumber}`;
      const written = writeViewState(
        {
          selected: [...selected],
          viewport,
          pinned: Object.keys(doc.pinned),
          edgeThreshold,
          nodeThreshold: nodeThreshold === openingThreshold ? null : nodeThreshold,
        },
        path,
      );
      if (!written) timer = setTimeout(write, 250);
    };
    timer = setTimeout(write, 250);
    return () => clearTimeout(timer);
  }, [
    selected,
    viewport,
    doc.pinned,
    edgeThreshold,
    nodeThreshold,
    openingThreshold,
    pinnedVersion,
    baseNumber,
    circuit.slug,
  ]);

  // ---- diff against an older version ----
  const compareWith = useCircuitDiff(circuit.slug, baseNumber, setDiff);

  // ---- layout (Web Worker) and the drawn graph: only the nodes that pass the thresholds are laid out, so a
  // pruned circuit packs tight ----
  const visible = useMemo(() => visibleNodeIds(doc, nodeThreshold), [doc, nodeThreshold]);
  const { layout, columns, rowNames } = useCircuitLayout(doc.graph, visible, doc.groups, diff);
  const positions = layout?.positions ?? null;
  const [labelTick, setLabelTick] = useState(0);
  const labels = useNodeLabels(doc.graph, standalone ? null : circuit.teamId, labelTick);
  const currentContent = useCallback(() => contentFromDoc(store.getState().doc), [store]);
  const hover = useHoverCard(doc.graph, labels);
  const cache = useRef(new DeriveCache());
  const derived = useMemo(
    () =>
      positions ? derive({ doc, positions, edgeThreshold, visible, selected, labels, diff }, cache.current) : null,
    [doc, positions, edgeThreshold, visible, selected, labels, diff],
  );
  // Big circuits open at reading zoom on their output end (top layer, last token positions) instead of fitting
  // everything: only what is on screen is rendered (onlyRenderVisibleElements), so they open and pan quickly.
  // F (or the fit button) shows the whole graph; the minimap shows where you are.
  const canvasRef = useRef<HTMLDivElement>(null);
  const [openingView, setOpeningView] = useState<Viewport | 'fit' | null>(initialView.viewport ?? null);
  useEffect(() => {
    if (openingView || !derived) return;
    if (derived.nodes.length <= LARGE_GRAPH) {
      setOpeningView('fit');
      return;
    }
    let right = Number.NEGATIVE_INFINITY;
    let top = Number.POSITIVE_INFINITY;
    for (const n of derived.nodes) {
      right = Math.max(right, n.position.x);
      top = Math.min(top, n.position.y);
    }
    const width = canvasRef.current?.clientWidth ?? 900;
    const zoom = OPENING_ZOOM;
    setOpeningView({ x: width - (right + 200) * zoom, y: 40 - top * zoom, zoom });
  }, [derived, openingView]);
  const [rfNodes, setRfNodes] = useState<Node<FeatureNodeData>[]>([]);
  const [rfEdges, setRfEdges] = useState<Edge[]>([]);
  useEffect(() => {
    if (!derived) return;
    setRfNodes(derived.nodes);
    setRfEdges(derived.edges);
  }, [derived]);
  // React Flow's fitView fits once a node has been measured, and with onlyRenderVisibleElements none is when no node
  // lies in the untransformed view (a graph whose first rows sit far down the layout): fit once the nodes are there.
  // It waits for the models too: a notice about them takes room from the canvas.
  const fittedOnOpen = useRef(false);
  const modelsKnown = !appModels.loading;
  useEffect(() => {
    if (openingView !== 'fit' || fittedOnOpen.current || !rfNodes.length || !modelsKnown) return;
    const timer = setTimeout(() => {
      fittedOnOpen.current = true;
      void flow.fitView({ padding: FIT_PADDING });
    }, 50);
    return () => clearTimeout(timer);
  }, [openingView, rfNodes, flow, modelsKnown]);
  // Pruning changes which nodes are laid out: refit the view to the survivors once they are drawn (small graphs;
  // big ones keep the reader's place).
  const fittedLayout = useRef(layout);
  useEffect(() => {
    if (!layout || fittedLayout.current === layout) return;
    const first = fittedLayout.current === null;
    fittedLayout.current = layout;
    if (first || Object.keys(layout.positions).length > LARGE_GRAPH) return;
    const timer = setTimeout(() => void flow.fitView({ padding: FIT_PADDING, duration: 250 }), 50);
    return () => clearTimeout(timer);
  }, [layout, flow]);

  const updateSelection = useCallback(
    (changes: (NodeChange | EdgeChange)[]) => {
      const selects = changes.filter((c) => c.type === 'select');
      if (!selects.length) return;
      setSelected((previous) => {
        const next = new Set(previous);
        for (const change of selects) {
          if (change.type !== 'select') continue;
          if (change.selected) next.add(change.id);
          else next.delete(change.id);
        }
        return next.size === previous.size && [...next].every((id) => previous.has(id)) ? previous : next;
      });
    },
    [setSelected],
  );
  /**
   * Records moved nodes in the document. A moved supernode puts its members where its card now is (they share its
   * slot in the layout too; ungrouping sends members stacked that way back to their own places). React Flow moves
   * nodes itself (drag, arrow keys on a focused selected node); the moves only last once they are a command here.
   */
  const commitMoves = useCallback(
    (moved: { id: string; position: Point }[], nudge: boolean) => {
      const moves: Record<string, Point> = {};
      for (const node of moved) {
        const at = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
        const group = doc.groups.find((g) => g.id === node.id);
        if (!group) moves[node.id] = at;
        else for (const member of group.nodeIds) if (visible.has(member)) moves[member] = at;
      }
      if (Object.keys(moves).length) store.dispatch(commands.move(moves, { nudge }));
    },
    [doc, visible, store],
  );
  // Position changes outside a drag come from arrow keys; a drag is recorded once, when it stops.
  const dragging = useRef(false);
  const cancelHover = hover.cancel;
  const onDragStart = useCallback(() => {
    dragging.current = true;
    cancelHover();
  }, [cancelHover]);
  const onDragStop = useCallback(
    (_: unknown, __: unknown, dragged?: Node[]) => {
      dragging.current = false;
      commitMoves(dragged ?? [], false);
    },
    [commitMoves],
  );
  const onSelectionDragStop = useCallback(
    (_: unknown, dragged: Node[]) => {
      dragging.current = false;
      commitMoves(dragged, false);
    },
    [commitMoves],
  );
  const onNodesChange = useCallback(
    (changes: NodeChange<Node<FeatureNodeData>>[]) => {
      setRfNodes((nodes) => applyNodeChanges(changes, nodes));
      updateSelection(changes);
      if (dragging.current) return;
      const nudged = changes.flatMap((c) =>
        c.type === 'position' && c.position && !c.dragging ? [{ id: c.id, position: c.position }] : [],
      );
      if (nudged.length) commitMoves(nudged, true);
    },
    [updateSelection, commitMoves],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      setRfEdges((edges) => applyEdgeChanges(changes, edges));
      updateSelection(changes);
    },
    [updateSelection],
  );

  // ---- edits on the selection ----
  const selectedIds = [...selected];
  // Circuits computed by the server can be scored again for any node set: the selection, groups expanded.
  const computed = (doc.graph as { schema?: unknown }).schema === 'workbench.circuit';
  const faithfulness = faithfulnessOf(doc.graph);
  const graphIds = useMemo(() => new Set(doc.graph.nodes.map((n) => n.id)), [doc.graph]);
  const evaluationNodes = [
    ...new Set(
      selectedIds.flatMap((id) => doc.groups.find((g) => g.id === id)?.nodeIds ?? (graphIds.has(id) ? [id] : [])),
    ),
  ];
  const selectedNodes = selectedIds.filter((id) => !id.includes('->'));
  const groupIds = new Set(doc.groups.map((g) => g.id));
  const membersOf = (ids: string[]) =>
    ids.flatMap((id) => (groupIds.has(id) ? (doc.groups.find((g) => g.id === id)?.nodeIds ?? []) : [id]));
  const [groupDialog, setGroupDialog] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [saveOpen, setSaveOpen] = useState(false);
  const [shareOpen, setShareOpen] = useState(false);
  const [panel, setPanel] = useState<'inspect' | 'history' | 'reviews'>('inspect');

  const hideSelected = () => {
    if (!selectedNodes.length) return;
    store.dispatch(commands.hide(membersOf(selectedNodes)));
    setSelected(new Set());
  };
  const togglePin = () => {
    const ids = membersOf(selectedNodes);
    if (!ids.length) return;
    store.dispatch(commands.setPinned(ids, !ids.every((id) => doc.pinned[id])));
  };
  const ungroupSelected = () => {
    const ids = selectedNodes.filter((id) => groupIds.has(id));
    if (!ids.length) return;
    store.dispatch(commands.ungroup(ids));
    setSelected(new Set(membersOf(ids)));
  };
  const canGroup = selectedNodes.length >= 2;

  // ---- save, conflicts ----
  const [saveVersion, saving] = useMutation(SAVE_VERSION);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ latest: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useKeptUnsavedEdits(store, standalone ? circuit.slug : null, () =>
    setNotice('Restored your unsaved edits (kept in this tab while you were away; Undo takes them back).'),
  );
  const [newerVersion, setNewerVersion] = useState<number | null>(null);

  /** Saves `draft` (the document) as the version after `base`; a newer version in between is merged with. */
  async function save(message: string, draft = doc, base = baseNumber, merged?: PendingMerge) {
    setSaveError(null);
    try {
      const result = await saveVersion({
        variables: { input: { circuitId: circuit.id, baseVersion: base, message, ...contentFromDoc(draft) } },
      });
      const number = result.data!.saveCircuitVersion.number;
      mySaves.current.add(number);
      setBaseNumber(number);
      store.markSaved();
      setSaveOpen(false);
      setNewerVersion(null);
      setNotice(
        merged
          ? `Merged with version ${merged.latest} (${merged.result.taken.theirs} of its changes, ${merged.result.taken.mine} of yours) and saved as version ${number}`
          : `Saved as version ${number}`,
      );
      void meta.refetch();
      if (pinnedVersion !== null) {
        router.replace(`/c/${circuit.slug}/v/${number}${window.location.search}`);
      }
    } catch (caught) {
      const extensions = errorExtensions(caught);
      if (extensions?.code === 'CONFLICT') {
        setSaveOpen(false);
        await mergeWithLatest(Number(extensions.latestVersion), message, draft);
      } else setSaveError(errorMessage(caught));
    }
  }

  // ---- merging with a version saved meanwhile (lib/merge.ts) ----
  const [pendingMerge, setPendingMerge] = useState<PendingMerge | null>(null);
  const fetchVersion = useVersionFetcher(circuit.slug);
  async function mergeWithLatest(latest: number, message: string, mine: EditorDoc) {
    try {
      const newer = await fetchVersion(latest);
      const { saved } = store.getState();
      const theirs = docFromContent(normalizeContent(newer), urlPins(saved));
      const pending: PendingMerge = {
        latest,
        latestAuthor: newer.author?.displayName ?? null,
        result: mergeDocs(saved, theirs, mine),
        message,
        theirs,
      };
      if (pending.result.conflicts.length === 0) await finishMerge(pending, {});
      else setPendingMerge(pending);
    } catch (caught) {
      // Without the newer version there is nothing to merge with: say so, and keep the edits.
      setSaveError(
        `Version ${latest} was saved meanwhile and could not be read to merge with: ${errorMessage(caught)}`,
      );
      setConflict({ latest });
    }
  }
  async function finishMerge(pending: PendingMerge, picks: Record<string, Side>) {
    const merged = pending.result.resolve(picks);
    store.rebase(pending.theirs, merged);
    setBaseNumber(pending.latest);
    setPendingMerge(null);
    await save(pending.message, merged, pending.latest, pending);
  }

  const openVersion = (number: number | null) =>
    router.push(withShare(number === null ? `/c/${circuit.slug}` : `/c/${circuit.slug}/v/${number}`, shareToken));

  // ---- live: versions, comments, reviews, evidence from others ----
  const client = useApolloClient();
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const [commentTick, setCommentTick] = useState(0);
  // The server ends the stream when access ends (signed out, removed from the team, the share link expired) and
  // says why; the page then shows it rather than going quietly stale.
  const [liveError, setLiveError] = useState<string | null>(null);
  useSubscription(CIRCUIT_CHANGED, {
    variables: { circuitId: circuit.id },
    skip: Boolean(standalone),
    onError: (error) => setLiveError(errorMessage(error).replace(/\.$/, '')),
    onData: ({ data }) => {
      const event = data.data?.circuitChanged;
      if (!event) return;
      // ChangeEvent.data is JSON; a version event's names the version saved.
      const saved = (event.data as { version?: number }).version;
      if (event.kind === 'version' && saved && !mySaves.current.has(saved)) {
        if (!dirtyRef.current && pinnedVersion === null) {
          setNotice(`Version ${saved} was saved by a teammate: showing it now`);
          refetch();
        } else setNewerVersion(saved);
        void meta.refetch();
      } else if (event.kind === 'comment') setCommentTick((t) => t + 1);
      else if (event.kind === 'review') void meta.refetch();
      // The review panel's evidence list (of the version shown) asks again, unless this tab saved the evidence and
      // so shows it already (lib/evidence-cache.ts).
      else if (
        event.kind === 'evidence' &&
        !(saved && event.id && evidenceListed(client.cache, { slug: circuit.slug, version: saved }, event.id))
      )
        void client.refetchQueries({ include: [CIRCUIT_EVIDENCE] });
    },
  });

  // ---- export / import ----
  const fileInput = useRef<HTMLInputElement>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const exportJson = () => {
    const blob = new Blob(
      [
        JSON.stringify(
          { title: circuit.title, slug: circuit.slug, version: baseNumber, ...contentFromDoc(doc) },
          null,
          1,
        ),
      ],
      { type: 'application/json' },
    );
    const url = URL.createObjectURL(blob);
    download(url, `${circuit.slug}-v${baseNumber}.json`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  // Neuronpedia / circuit-tracer attribution-graph JSON: an imported graph comes back with only the edits changed.
  const exportAttributionGraph = () => {
    const blob = new Blob([JSON.stringify(toAttributionGraph(doc))], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    download(url, `${circuit.slug}-v${baseNumber}.attribution-graph.json`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const exportImage = async (kind: 'png' | 'svg') => {
    const element = document.querySelector<HTMLElement>('.editor-canvas .react-flow');
    if (!element) return;
    const { toPng, toSvg } = await import('html-to-image');
    const filter = (node: HTMLElement) =>
      !(
        node.classList &&
        ['react-flow__minimap', 'react-flow__controls', 'react-flow__panel'].some((c) => node.classList.contains(c))
      );
    const url = await (kind === 'png' ? toPng : toSvg)(element, {
      backgroundColor: '#ffffff',
      filter,
      skipFonts: true,
    });
    download(url, `${circuit.slug}-v${baseNumber}.${kind}`);
  };
  // A file this editor exported earlier, from an older version of this circuit, is merged (base: that version), so
  // re-importing one's downloaded edits never reverts what teammates saved since.
  const [pendingImport, setPendingImport] = useState<PendingImport | null>(null);
  async function mergeImport(json: unknown, content: CircuitContent, file: string): Promise<boolean> {
    const from = exportedVersionOf(json, circuit.slug);
    if (from === null || from >= baseNumber) return false;
    const { saved, doc: current } = store.getState();
    const pins = urlPins(saved);
    const base = docFromContent(normalizeContent(await fetchVersion(from)), pins);
    const result = mergeDocs(base, current, docFromContent(content, pins));
    const pending = { from, file, result };
    if (result.conflicts.length) setPendingImport(pending);
    else finishImport(pending, {});
    return true;
  }
  function finishImport(pending: PendingImport, picks: Record<string, Side>) {
    store.dispatch(
      commands.mergeIn(pending.result.resolve(picks), `Import ${pending.file}, merged from v${pending.from}`),
    );
    setPendingImport(null);
    setNotice(`Merged ${pending.file} (edits on version ${pending.from}) into version ${baseNumber}: save to keep it`);
  }
  const onImportFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setImportError(null);
    try {
      const json = JSON.parse(await file.text());
      const content = parseCircuitJson(json);
      if (await mergeImport(json, content, file.name)) return;
      store.dispatch(commands.replaceContent(content, `Import ${file.name}`));
      // An imported graph opens as any circuit does: pruned to its most important nodes.
      store.setView({ ...defaultThresholds(content.graph), selected: new Set(), diff: null });
      setNotice(`Imported ${content.graph.nodes.length} nodes from ${file.name}: save to make it a new version`);
      setTimeout(() => flow.fitView({ padding: FIT_PADDING }), 200);
    } catch (caught) {
      setImportError(`Could not import ${file.name}: ${errorMessage(caught)}`);
    }
  };

  // ---- keyboard (see shortcuts.ts) ----
  const keyActions = useRef<ShortcutActions>({});
  keyActions.current = {
    undo: store.undo,
    redo: store.redo,
    hide: hideSelected,
    group: () => canGroup && setGroupDialog(true),
    ungroup: ungroupSelected,
    pin: togglePin,
    fit: () => void flow.fitView({ padding: FIT_PADDING, duration: 200 }),
    clear: () => setSelected(new Set()),
    help: () => setHelpOpen(true),
    save: () => canEdit && setSaveOpen(true),
    showAll: () => store.dispatch(commands.showAll()),
    selectAll: () =>
      setSelected(new Set((derived?.nodes ?? []).filter((n) => n.selectable !== false).map((n) => n.id))),
  };
  useEditorShortcuts(keyActions);

  const hiddenCount = Object.keys(doc.hidden).length;
  const [farOut, setFarOut] = useState(false);
  const onMove = useCallback((_: unknown, vp: Viewport) => {
    setDetail(detailAt(vp.zoom));
    const far = vp.zoom < CANVAS_ZOOM;
    setFarOut((previous) => (previous === far ? previous : far));
  }, []);
  const canvasMode = farOut && rfNodes.length > LARGE_GRAPH;
  const flowNodes = useMemo(
    () => (canvasMode ? rfNodes.map((n) => ({ ...n, hidden: true })) : rfNodes),
    [canvasMode, rfNodes],
  );
  const onMoveEnd = useCallback((_: unknown, vp: Viewport) => setViewport(vp), [setViewport]);

  const reviewSummary = info.reviewAgreement;
  return (
    <div className="editor-shell">
      <TopBar>
        <h1 className="editor-title" data-testid="circuit-title" title={circuit.title}>
          {circuit.title}
        </h1>
        {standalone ? (
          <span className="badge" data-testid="version-label">
            not saved
          </span>
        ) : (
          <>
            <CircuitStatus circuit={info} compact />
            <span className="muted small" data-testid="version-label">
              v{baseNumber}
              {baseNumber < info.latestVersion ? ` of ${info.latestVersion}` : ''}
              {dirty ? ' · unsaved edits' : ''}
            </span>
          </>
        )}
        {circuit.onlyVersion === null && info.teamId && canEdit && (
          <Link className="small" href={`/teams/${info.teamId}`}>
            Team
          </Link>
        )}
      </TopBar>
      <div className="toolbar" role="toolbar" aria-label="Circuit editor">
        <ToolButton
          onClick={store.undo}
          disabled={!canUndo}
          shortcut="Control+Z"
          title={undoLabel ? `Undo: ${undoLabel}` : 'Undo'}
        >
          Undo
        </ToolButton>
        <ToolButton
          onClick={store.redo}
          disabled={!canRedo}
          shortcut="Control+Shift+Z"
          title={redoLabel ? `Redo: ${redoLabel}` : 'Redo'}
        >
          Redo
        </ToolButton>
        <span className="divider" />
        <ToolButton onClick={hideSelected} disabled={!selectedNodes.length} shortcut="Delete">
          Hide
        </ToolButton>
        <ToolButton onClick={togglePin} disabled={!selectedNodes.length} shortcut="P">
          Pin
        </ToolButton>
        <ToolButton onClick={() => setGroupDialog(true)} disabled={!canGroup} shortcut="G">
          Group
        </ToolButton>
        <ToolButton onClick={ungroupSelected} disabled={!selectedNodes.some((id) => groupIds.has(id))} shortcut="U">
          Ungroup
        </ToolButton>
        <ToolButton onClick={() => store.dispatch(commands.showAll())} disabled={!hiddenCount} shortcut="Shift+A">
          Show hidden{hiddenCount ? ` (${hiddenCount})` : ''}
        </ToolButton>
        <span className="divider" />
        <label className="slider">
          |weight| ≥ {edgeThreshold.toPrecision(2)}
          <input
            type="range"
            min={0}
            max={maxWeight || 1}
            step={(maxWeight || 1) / 200}
            value={edgeThreshold}
            onChange={(event) => setEdgeThreshold(Number(event.target.value))}
            aria-label="Edge weight threshold"
          />
        </label>
        <label className="slider">
          |{computed ? 'effect' : 'influence'}| ≥ {nodeThreshold.toPrecision(2)}
          <input
            type="range"
            min={0}
            max={maxInfluence || 1}
            step={(maxInfluence || 1) / 200}
            value={nodeThreshold}
            onChange={(event) => setNodeThreshold(Number(event.target.value))}
            aria-label="Node influence threshold"
          />
        </label>
        {faithfulness !== null && (
          <button
            type="button"
            className={`small quality-chip${faithfulness < LOW_FAITHFULNESS ? ' low' : ''}`}
            data-testid="quality-chip"
            title="How well the circuit reproduces the model's behaviour: open the quality panel"
            onClick={() => {
              setSelected(new Set());
              setPanel('inspect');
            }}
          >
            faithfulness {faithfulness.toFixed(2)}
            {faithfulness < LOW_FAITHFULNESS ? ' ⚠ low' : ''}
          </button>
        )}
        {!standalone && (computed || support?.notice) && (
          <EvaluateSelection
            circuitId={circuit.id}
            version={baseNumber}
            nodeIds={evaluationNodes}
            unavailable={support?.noModelRuns ?? null}
            canComment={canComment}
          />
        )}
        <span className="muted small" data-testid="graph-stats">
          {derived
            ? `showing ${visible.size} of ${doc.graph.nodes.length} nodes · ${derived.shownEdges} of ${doc.graph.edges.length} edges`
            : 'Laying out…'}
        </span>
        {visible.size + hiddenCount < doc.graph.nodes.length && (
          <button
            type="button"
            className="secondary small"
            onClick={() => {
              const next = moreThreshold(magnitudes, nodeThreshold);
              store.setView({ nodeThreshold: next, edgeThreshold: edgeBudgetThreshold(doc.graph, next) });
            }}
            title="Lower the |effect| threshold to show about twice as many nodes"
          >
            Show more
          </button>
        )}
        <span className="spacer" />
        <details className="menu">
          <summary className="button secondary small">Export</summary>
          <div className="menu-items">
            <button type="button" className="secondary small" onClick={() => exportImage('png')}>
              PNG image
            </button>
            <button type="button" className="secondary small" onClick={() => exportImage('svg')}>
              SVG image
            </button>
            <button type="button" className="secondary small" onClick={exportJson}>
              Graph JSON
            </button>
            <button
              type="button"
              className="secondary small"
              onClick={exportAttributionGraph}
              title="Attribution-graph JSON for Neuronpedia and circuit-tracer: labels as clerp, supernodes, pins"
            >
              Neuronpedia / circuit-tracer JSON
            </button>
          </div>
        </details>
        {canEdit && (
          <>
            <button type="button" className="secondary small" onClick={() => fileInput.current?.click()}>
              Import JSON
            </button>
            <input
              ref={fileInput}
              type="file"
              accept="application/json,.json"
              hidden
              data-testid="import-version-file"
              onChange={onImportFile}
            />
          </>
        )}
        {canManage && (
          <button type="button" className="secondary small" onClick={() => setShareOpen(true)}>
            Share
          </button>
        )}
        <button type="button" className="secondary small" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
          ?
        </button>
        {canEdit && (
          <button
            type="button"
            className="small"
            onClick={() => setSaveOpen(true)}
            disabled={!dirty}
            aria-keyshortcuts="Control+S"
          >
            Save version
          </button>
        )}
      </div>
      {(notice || newerVersion || importError || liveError || support?.notice || standalone) && (
        <div className="notices">
          {standalone && (
            <div className="notice" role="status" data-testid="standalone-notice">
              {standalone.banner(currentContent)}
            </div>
          )}
          {support?.notice && !standalone && (
            <p className="notice warn" role="status" data-testid="analysis-notice">
              {support.notice}
            </p>
          )}
          {notice && (
            <p className="notice" role="status">
              {notice}{' '}
              <button type="button" className="link" onClick={() => setNotice(null)}>
                Dismiss
              </button>
            </p>
          )}
          {newerVersion && (
            <p className="notice warn" role="status" data-testid="newer-version">
              Version {newerVersion} was saved by a teammate; saving merges your edits with it.{' '}
              <button type="button" className="link" onClick={() => openVersion(newerVersion)}>
                Open version {newerVersion} instead
              </button>
            </p>
          )}
          {importError && (
            <p className="error" role="alert">
              {importError}
            </p>
          )}
          {liveError && (
            <p className="notice warn" role="status" data-testid="live-updates-stopped">
              Live updates stopped: {liveError}. What is shown may be out of date; reload the page to check.
            </p>
          )}
        </div>
      )}
      <div className="editor-body">
        <div ref={canvasRef} className={`editor-canvas lod-${detail}`} data-testid="editor-canvas">
          {derived && openingView ? (
            <ReactFlow
              nodes={flowNodes}
              edges={canvasMode ? NO_EDGES : rfEdges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onNodeDragStart={onDragStart}
              onNodeDragStop={onDragStop}
              onSelectionDragStart={onDragStart}
              onSelectionDragStop={onSelectionDragStop}
              onMove={onMove}
              onMoveEnd={onMoveEnd}
              onNodeMouseEnter={hover.enterNode}
              onNodeMouseLeave={hover.leave}
              defaultViewport={openingView === 'fit' ? undefined : openingView}
              fitView={openingView === 'fit'}
              fitViewOptions={{ padding: FIT_PADDING }}
              minZoom={0.03}
              maxZoom={3}
              onlyRenderVisibleElements
              multiSelectionKeyCode={MULTI_SELECT_KEYS}
              deleteKeyCode={null}
              nodesConnectable={false}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={24} />
              <Controls showInteractive={false} orientation="horizontal" style={{ left: 66 }} />
              {rfNodes.length > LARGE_GRAPH && <CanvasMiniMap nodes={rfNodes} />}
              {canvasMode && <CanvasLayer nodes={rfNodes} edges={rfEdges} />}
              {layout && layout.grid.rows.length > 0 && !diff && (
                <GridHeaders grid={layout.grid} rows={rowNames} tokens={columns} />
              )}
            </ReactFlow>
          ) : (
            <p className="muted centered" data-testid="layout-pending">
              Laying out {doc.graph.nodes.length} nodes…
            </p>
          )}
          {hover.target && (
            <NodeHoverCard
              target={hover.target}
              graph={doc.graph}
              label={hover.label}
              feature={linkOf(hover.target.node)}
            />
          )}
          {typeCounts.length > 0 && !diff && (
            <ul
              className={`type-legend small${rfNodes.length > LARGE_GRAPH ? ' beside-minimap' : ''}`}
              data-testid="type-legend"
              aria-label="Node types"
            >
              {typeCounts.map(({ type, count }) => (
                <li key={type} title={NODE_TYPES[type].name}>
                  <span className={`type-badge type-${type}`}>{NODE_TYPES[type].badge}</span> {NODE_TYPES[type].short}{' '}
                  <span className="muted">{count}</span>
                </li>
              ))}
            </ul>
          )}
          {diff && (
            <div className="legend" data-testid="diff-legend">
              Changes v{diff.from} → v{diff.to}: <span className="chip added">added</span>
              <span className="chip removed">removed</span>
              <span className="chip changed">changed</span>
              <button type="button" className="link" onClick={() => setDiff(null)}>
                Clear
              </button>
            </div>
          )}
        </div>
        <aside className="side-panel" aria-label="Details">
          <div className="tabs" role="tablist">
            {(standalone ? (['inspect'] as const) : (['inspect', 'history', 'reviews'] as const)).map((tab) => (
              <button
                key={tab}
                type="button"
                role="tab"
                aria-selected={panel === tab}
                onClick={() => setPanel(tab)}
                className="small"
              >
                {tab === 'inspect'
                  ? 'Inspect'
                  : tab === 'history'
                    ? 'History'
                    : `Reviews${reviewSummary.pending ? ` (${reviewSummary.pending})` : ''}`}
              </button>
            ))}
          </div>
          {panel === 'inspect' && (
            <Inspector
              onLabelsChanged={() => setLabelTick((t) => t + 1)}
              circuit={info}
              doc={doc}
              store={store}
              selected={selectedIds}
              labels={labels}
              linkOf={linkOf}
              labelKeyOf={labelKeyOf}
              canEdit={canEdit}
              canComment={canComment}
              commentTick={commentTick}
              onGroup={() => setGroupDialog(true)}
              version={version}
              baseNumber={baseNumber}
              standalone={Boolean(standalone)}
            />
          )}
          {panel === 'history' && (
            <VersionsPanel
              slug={circuit.slug}
              current={baseNumber}
              dirty={dirty}
              onlyVersion={circuit.onlyVersion}
              diffFrom={diff?.from ?? null}
              onOpen={openVersion}
              onCompare={compareWith}
              undoStack={store}
            />
          )}
          {panel === 'reviews' && (
            <ReviewPanel
              circuit={info}
              reviews={meta.data?.circuit.reviews ?? []}
              version={baseNumber}
              canRequest={canEdit && circuit.onlyVersion === null}
              onChanged={() => void meta.refetch()}
            />
          )}
        </aside>
      </div>

      <GroupDialog
        open={groupDialog}
        count={membersOf(selectedNodes).length}
        defaultName={`Supernode ${doc.groups.length + 1}`}
        onClose={() => setGroupDialog(false)}
        onGroup={(name) => {
          const id = `g-${Date.now().toString(36)}`;
          store.dispatch(commands.group(selectedNodes, name, id));
          setSelected(new Set([id]));
          setGroupDialog(false);
        }}
      />
      <Dialog open={saveOpen} title="Save as a new version" onClose={() => setSaveOpen(false)}>
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void save(String(new FormData(event.currentTarget).get('message') ?? ''));
          }}
        >
          <p className="muted small">
            Saves your edits as version{' '}
            {info.latestVersion + 1 > baseNumber + 1 ? `after v${baseNumber}` : baseNumber + 1}; earlier versions stay
            as they are.
          </p>
          <label>
            What changed?
            <input
              name="message"
              aria-label="Version message"
              placeholder="e.g. grouped the subject-number features"
              autoFocus
            />
          </label>
          {saveError && (
            <p className="error" role="alert">
              {saveError}
            </p>
          )}
          <div className="row">
            <button type="submit" disabled={saving.loading}>
              {saving.loading ? 'Saving…' : 'Save version'}
            </button>
            <button type="button" className="secondary" onClick={() => setSaveOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
      <Dialog open={conflict !== null} title="Someone saved first" onClose={() => setConflict(null)}>
        <div className="stack" data-testid="conflict-dialog">
          <p>
            Version {conflict?.latest} was saved after version {baseNumber}, which your edits started from. Your edits
            are not saved.
          </p>
          <p className="muted small">
            Open the newer version to see their changes (your unsaved edits are dropped; download them first to keep
            them), or keep editing here.
          </p>
          <div className="row wrap">
            <button type="button" onClick={() => conflict && openVersion(conflict.latest)}>
              Open version {conflict?.latest}
            </button>
            <button type="button" className="secondary" onClick={exportJson}>
              Download my edits (JSON)
            </button>
            <button type="button" className="secondary" onClick={() => setConflict(null)}>
              Keep editing
            </button>
          </div>
        </div>
      </Dialog>
      <MergeDialog
        key={`save-${pendingMerge?.latest}`}
        result={pendingMerge?.result ?? null}
        intro={`Version ${pendingMerge?.latest} was saved${pendingMerge?.latestAuthor ? ` by ${pendingMerge.latestAuthor}` : ''} while you edited.`}
        sides={{
          theirs: {
            name: `v${pendingMerge?.latest}`,
            caption: `v${pendingMerge?.latest}${pendingMerge?.latestAuthor ? ` · ${pendingMerge.latestAuthor}` : ''}`,
            changes: 'of its changes',
          },
          mine: { name: 'your edit', caption: 'your edit', changes: 'of yours' },
        }}
        action={`Merge and save as v${(pendingMerge?.latest ?? 0) + 1}`}
        busy={saving.loading}
        onMerge={(picks) => pendingMerge && void finishMerge(pendingMerge, picks)}
        onCancel={() => setPendingMerge(null)}
      />
      <MergeDialog
        key={`import-${pendingImport?.from}`}
        result={pendingImport?.result ?? null}
        intro={`${pendingImport?.file} holds edits made on version ${pendingImport?.from}; the circuit has changed since (this is v${baseNumber}).`}
        sides={{
          theirs: {
            name: `v${baseNumber}`,
            caption: `v${baseNumber} (open here)`,
            changes: "of the circuit's changes",
          },
          mine: { name: 'the file', caption: pendingImport?.file ?? 'the file', changes: "of the file's" },
        }}
        action="Merge into the editor"
        onMerge={(picks) => pendingImport && finishImport(pendingImport, picks)}
        onCancel={() => setPendingImport(null)}
      />
      <ShareDialog open={shareOpen} onClose={() => setShareOpen(false)} circuit={info} version={baseNumber} />
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}
