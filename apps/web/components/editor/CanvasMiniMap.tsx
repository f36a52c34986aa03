'use client';

import { type Node, Panel, useReactFlow, useStore } from '@xyflow/react';
import { type PointerEvent, useEffect, useMemo, useRef } from 'react';
import { type FeatureNodeData, NODE_H, NODE_W } from './derive';

const W = 200;
const H = 140;

/**
 * An overview drawn on two canvases: every node as a dot (redrawn only when nodes change) and the viewport as a
 * rectangle on top (redrawn on pan and zoom). React Flow's SVG minimap paints one element per node on every frame
 * of a pan, which big circuits cannot afford. Click or drag on it to move the view.
 */
export function CanvasMiniMap({ nodes }: { nodes: Node<FeatureNodeData>[] }) {
  const flow = useReactFlow();
  const base = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const transform = useStore((s) => s.transform);

  const frame = useMemo(() => {
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (const n of nodes) {
      minX = Math.min(minX, n.position.x);
      minY = Math.min(minY, n.position.y);
      maxX = Math.max(maxX, n.position.x + NODE_W);
      maxY = Math.max(maxY, n.position.y + NODE_H);
    }
    if (!nodes.length) return { minX: 0, minY: 0, scale: 1, offsetX: 0, offsetY: 0 };
    const pad = 40;
    minX -= pad;
    minY -= pad;
    maxX += pad;
    maxY += pad;
    const scale = Math.min(W / (maxX - minX), H / (maxY - minY));
    return {
      minX,
      minY,
      scale,
      offsetX: (W - (maxX - minX) * scale) / 2,
      offsetY: (H - (maxY - minY) * scale) / 2,
    };
  }, [nodes]);

  useEffect(() => {
    const ctx = base.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, W, H);
    for (const n of nodes) {
      const d = n.data;
      ctx.fillStyle =
        d.diff === 'added'
          ? '#1f9d55'
          : d.diff === 'removed'
            ? '#d2453b'
            : d.diff === 'changed'
              ? '#d39b00'
              : n.type === 'supernode'
                ? '#6b5bd2'
                : n.selected
                  ? '#3451b2'
                  : '#9a9db0';
      const x = frame.offsetX + (n.position.x - frame.minX) * frame.scale;
      const y = frame.offsetY + (n.position.y - frame.minY) * frame.scale;
      ctx.fillRect(x, y, Math.max(1.5, NODE_W * frame.scale), Math.max(1.5, NODE_H * frame.scale));
    }
  }, [nodes, frame]);

  useEffect(() => {
    const ctx = overlay.current?.getContext('2d');
    if (!ctx) return;
    const [tx, ty, zoom] = transform;
    ctx.clearRect(0, 0, W, H);
    const x = frame.offsetX + (-tx / zoom - frame.minX) * frame.scale;
    const y = frame.offsetY + (-ty / zoom - frame.minY) * frame.scale;
    ctx.strokeStyle = '#3451b2';
    ctx.lineWidth = 1.5;
    ctx.fillStyle = 'rgba(52, 81, 178, 0.08)';
    ctx.fillRect(x, y, (width / zoom) * frame.scale, (height / zoom) * frame.scale);
    ctx.strokeRect(x, y, (width / zoom) * frame.scale, (height / zoom) * frame.scale);
  }, [transform, width, height, frame]);

  const moveTo = (event: PointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const gx = (event.clientX - rect.left - frame.offsetX) / frame.scale + frame.minX;
    const gy = (event.clientY - rect.top - frame.offsetY) / frame.scale + frame.minY;
    void flow.setCenter(gx, gy, { zoom: transform[2] });
  };

  return (
    <Panel position="bottom-right" className="canvas-minimap">
      <div style={{ position: 'relative', width: W, height: H }}>
        <canvas ref={base} width={W} height={H} />
        <canvas
          ref={overlay}
          width={W}
          height={H}
          role="img"
          aria-label="Overview map: click or drag to move the view"
          onPointerDown={(event) => {
            event.currentTarget.setPointerCapture(event.pointerId);
            moveTo(event);
          }}
          onPointerMove={(event) => {
            if (event.buttons) moveTo(event);
          }}
        />
      </div>
    </Panel>
  );
}
