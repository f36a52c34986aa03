'use client';

import { type Edge, type Node, useStore } from '@xyflow/react';
import { useEffect, useMemo, useRef } from 'react';
import { type FeatureNodeData, NODE_H, NODE_W } from './derive';

const NODE_COLOUR: Record<string, string> = { added: '#1f9d55', removed: '#d2453b', changed: '#d39b00' };

/**
 * The lowest level of detail: zoomed far out on a big circuit, nodes and edges are painted on one canvas (boxes and
 * straight lines) instead of thousands of DOM elements and SVG paths, so the overview pans and zooms smoothly.
 * It does not take pointer events: dragging still pans the pane underneath; zoom in to select and edit.
 */
export function CanvasLayer({ nodes, edges }: { nodes: Node<FeatureNodeData>[]; edges: Edge[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const transform = useStore((s) => s.transform);
  const byId = useMemo(() => new Map(nodes.map((n) => [n.id, n.position])), [nodes]);

  useEffect(() => {
    const element = canvas.current;
    const ctx = element?.getContext('2d');
    if (!element || !ctx) return;
    const ratio = window.devicePixelRatio || 1;
    if (element.width !== Math.round(width * ratio)) element.width = Math.round(width * ratio);
    if (element.height !== Math.round(height * ratio)) element.height = Math.round(height * ratio);
    const [tx, ty, zoom] = transform;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.globalAlpha = 0.55;
    for (const edge of edges) {
      const s = byId.get(edge.source);
      const t = byId.get(edge.target);
      if (!s || !t) continue;
      const x1 = tx + (s.x + NODE_W / 2) * zoom;
      const y1 = ty + s.y * zoom;
      const x2 = tx + (t.x + NODE_W / 2) * zoom;
      const y2 = ty + (t.y + NODE_H) * zoom;
      if ((x1 < 0 && x2 < 0) || (x1 > width && x2 > width) || (y1 < 0 && y2 < 0) || (y1 > height && y2 > height)) {
        continue;
      }
      const style = edge.style ?? {};
      ctx.strokeStyle = String(style.stroke ?? '#888');
      ctx.lineWidth = Math.max(0.4, Number(style.strokeWidth ?? 1) * zoom * 2);
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    const w = Math.max(1.5, NODE_W * zoom);
    const h = Math.max(1.5, NODE_H * zoom);
    for (const node of nodes) {
      const x = tx + node.position.x * zoom;
      const y = ty + node.position.y * zoom;
      if (x + w < 0 || y + h < 0 || x > width || y > height) continue;
      ctx.fillStyle = node.data.diff
        ? NODE_COLOUR[node.data.diff]!
        : node.type === 'supernode'
          ? '#6b5bd2'
          : node.selected
            ? '#3451b2'
            : '#8a8fa6';
      ctx.fillRect(x, y, w, h);
    }
  }, [nodes, edges, byId, transform, width, height]);

  return <canvas ref={canvas} className="canvas-layer" style={{ width, height }} data-testid="canvas-layer" />;
}
