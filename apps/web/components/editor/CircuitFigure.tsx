'use client';

import { type Edge, type Node, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo, useRef } from 'react';
import { docFromContent } from '../../lib/editor-store';
import { figureLayout } from '../../lib/figure-layout';
import { type CircuitContent, promptColumns, rowLabels } from '../../lib/graph';
import { DeriveCache, derive, type FeatureNodeData, formatNumber, visibleNodeIds } from './derive';
import { nodeTypes } from './FlowNodes';
import { GridHeaders } from './GridHeaders';

const NO_SELECTION = new Set<string>();
const NO_LABELS = new Map();
/** Room around the fitted graph for the token header (top) and the row names (left). */
const FIT_PADDING = { top: '40px', left: '78px', right: '16px', bottom: '16px' } as const;

/**
 * A small circuit drawn read-only by the editor's own drawing code (nodes, edge colours and widths, row and token
 * headers) in a figure's layout (every node, in index order: see figure-layout.ts), each edge labelled with its
 * weight and inactive nodes faded. For pages that explain a circuit (the walkthrough); the editor is for working on
 * one.
 */
export function CircuitFigure(props: { content: CircuitContent; height?: number; edgeLabels?: boolean }) {
  return (
    <ReactFlowProvider>
      <Figure {...props} />
    </ReactFlowProvider>
  );
}

function Figure({ content, height = 460, edgeLabels = true }: Parameters<typeof CircuitFigure>[0]) {
  const doc = useMemo(() => docFromContent(content), [content]);
  const visible = useMemo(() => visibleNodeIds(doc, 0), [doc]);
  const layout = useMemo(() => figureLayout(doc.graph, visible), [doc, visible]);
  const columns = useMemo(() => promptColumns(doc.graph), [doc]);
  const rowNames = useMemo(() => rowLabels(doc.graph), [doc]);
  const cache = useRef(new DeriveCache());
  const derived = useMemo(
    () =>
      derive(
        {
          doc,
          positions: layout.positions,
          // Edges of weight 0 (from a unit that is off) carry nothing: not drawn.
          edgeThreshold: Number.MIN_VALUE,
          visible,
          selected: NO_SELECTION,
          labels: NO_LABELS,
          diff: null,
        },
        cache.current,
      ),
    [doc, layout, visible],
  );
  // A node that is off on this input (a ReLU at 0) passes nothing: faded, so what is active stands out. The name is
  // the figure's subtitle enough; the editor's (layer, hook, token) say nothing more about a one-token toy.
  const nodes = useMemo<Node<FeatureNodeData>[]>(
    () =>
      derived.nodes.map((node) => ({
        ...node,
        className: node.data.activation === 0 ? 'figure-off' : undefined,
        data: { ...node.data, subtitle: node.data.activation === 0 ? 'off' : '' },
      })),
    [derived],
  );
  const edges = useMemo<Edge[]>(
    () =>
      derived.edges.map((edge) => {
        const weight = Number((edge.data as { weight?: number } | undefined)?.weight ?? 0);
        return edgeLabels
          ? {
              ...edge,
              label: formatNumber(weight),
              labelStyle: { fontSize: 11, fill: weight >= 0 ? '#23478f' : '#a3281f' },
              labelBgStyle: { fill: '#ffffff', fillOpacity: 0.85 },
              labelBgPadding: [3, 1] as [number, number],
              // The exact weight, for tests and tools reading the drawing (the label is rounded).
              domAttributes: { 'data-weight': String(weight) } as Edge['domAttributes'],
            }
          : edge;
      }),
    [derived, edgeLabels],
  );
  return (
    <div className="circuit-figure editor-canvas lod-full" style={{ height }} data-testid="circuit-figure">
      {nodes.length > 0 && (
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ padding: FIT_PADDING }}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          zoomOnScroll={false}
          preventScrolling={false}
          minZoom={0.2}
          maxZoom={2}
          proOptions={{ hideAttribution: true }}
        >
          <GridHeaders grid={layout.grid} rows={rowNames} tokens={columns} />
        </ReactFlow>
      )}
    </div>
  );
}
