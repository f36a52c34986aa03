'use client';

import { useEffect, useState } from 'react';
import { computeLayout, type LayoutInput, layoutWorkerSource, type Positions } from './layout';

let workerUrl: string | null = null;

/**
 * Positions for a layout input, computed in a Web Worker. Keeps the last positions while a new layout runs (so
 * extra ghost nodes do not blank the graph); null until the first layout is ready.
 */
export function useLayout(input: LayoutInput | null): Positions | null {
  const [positions, setPositions] = useState<Positions | null>(null);
  useEffect(() => {
    if (!input) return;
    let worker: Worker | null = null;
    let cancelled = false;
    const fallback = () => {
      if (!cancelled) setPositions(computeLayout(input));
    };
    try {
      workerUrl ??= URL.createObjectURL(new Blob([layoutWorkerSource()], { type: 'text/javascript' }));
      worker = new Worker(workerUrl);
    } catch {
      fallback();
      return;
    }
    worker.onmessage = (event: MessageEvent<{ positions: Positions }>) => {
      if (!cancelled) setPositions(event.data.positions);
      worker?.terminate();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fallback();
      worker?.terminate();
    };
    worker.postMessage({ id: 1, input });
    return () => {
      cancelled = true;
      worker?.terminate();
    };
  }, [input]);
  return positions;
}
