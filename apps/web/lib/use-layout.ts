'use client';

import { useEffect, useState } from 'react';
import { computeLayout, type LayoutInput, layoutWorkerSource, type Positions } from './layout';

let workerUrl: string | null = null;

/**
 * Positions for a layout input, computed in a Web Worker. Keeps the last positions while a new layout runs (so
 * extra ghost nodes do not blank the graph); null until the first layout is ready.
 */
export function useLayout(input: LayoutInput | null, cacheKey?: object | null): Positions | null {
  // Layouts already computed for a graph (undo back to it, say) come back at once, without a worker round trip.
  const [cache] = useState(() => new WeakMap<object, Positions>());
  const [positions, setPositions] = useState<Positions | null>(null);
  const cached = cacheKey ? cache.get(cacheKey) : undefined;
  useEffect(() => {
    if (!input || cached) return;
    let worker: Worker | null = null;
    let cancelled = false;
    const done = (result: Positions) => {
      if (cancelled) return;
      if (cacheKey) cache.set(cacheKey, result);
      setPositions(result);
    };
    const fallback = () => done(computeLayout(input));
    try {
      workerUrl ??= URL.createObjectURL(new Blob([layoutWorkerSource()], { type: 'text/javascript' }));
      worker = new Worker(workerUrl);
    } catch {
      fallback();
      return;
    }
    worker.onmessage = (event: MessageEvent<{ positions: Positions }>) => {
      done(event.data.positions);
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
  }, [input, cached, cacheKey, cache]);
  return cached ?? positions;
}
