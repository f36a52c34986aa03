'use client';

import type { Node } from '@xyflow/react';
import { type MouseEvent as ReactMouseEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { featureKeyOf, featureKeyString, type Graph } from '../../lib/graph';
import type { NodeLabel } from '../../lib/node-labels';
import type { HoverTarget } from './NodeHoverCard';

/** Hover cards open after a short rest on a node and close shortly after the pointer leaves it. */
const HOVER_OPEN_MS = 250;
const HOVER_CLOSE_MS = 200;

export function useHoverCard(graph: Graph, labels: Map<string, NodeLabel>) {
  const [target, setTarget] = useState<HoverTarget | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const nodeById = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);
  const later = useCallback((ms: number, run: () => void) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(run, ms);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  const enterNode = useCallback(
    (event: ReactMouseEvent, flowNode: Node) => {
      // Passing over nodes while panning (a button held) opens nothing; and the node is measured only once the
      // pointer has rested, since measuring forces a layout, which costs frames mid-pan.
      if (event.buttons) return;
      const node = nodeById.get(flowNode.id);
      const element = (event.target as HTMLElement).closest('.react-flow__node');
      if (!node || !element) return;
      later(HOVER_OPEN_MS, () => {
        if (!element.isConnected) return;
        const box = element.getBoundingClientRect();
        setTarget({ node, x: box.right, y: box.top, left: box.left });
      });
    },
    [nodeById, later],
  );
  const leave = useCallback(() => later(HOVER_CLOSE_MS, () => setTarget(null)), [later]);
  const cancel = useCallback(() => {
    clearTimeout(timer.current);
    setTarget(null);
  }, []);
  const key = target ? featureKeyOf(target.node, graph) : null;
  return { target, label: key ? labels.get(featureKeyString(key)) : undefined, enterNode, leave, cancel };
}
