'use client';

import { useEffect, useState } from 'react';
import { computeLayout, type LayoutInput, type LayoutResult, layoutWorkerSource } from './layout';

let workerUrl: string | null = null;
/** Layouts kept for going back to a node set (undo, a threshold moved back): a few are plenty. */
const CACHED_LAYOUTS = 16;

/**
 * The layout of an input, computed in a Web Worker. `key` names the input (the same key, the same layout): layouts
 * already computed come back at once, without a worker round trip. Keeps the last layout while a new one runs (so
 * a threshold change does not blank the graph); null until the first layout is ready.
 */
export function useLayout(input: LayoutInput | null, key: string | null): LayoutResult | null {
  const [cache] = useState(() => new Map<string, LayoutResult>());
  const [latest, setLatest] = useState<LayoutResult | null>(null);
  const cached = key === null ? undefined : cache.get(key);
  useEffect(() => {
    if (!input || cached) return;
    let worker: Worker | null = null;
    let cancelled = false;
    const done = (result: LayoutResult) => {
      if (cancelled) return;
      if (key !== null) {
        cache.set(key, result);
        if (cache.size > CACHED_LAYOUTS) cache.delete(cache.keys().next().value!);
      }
      setLatest(result);
    };
    const fallback = () => done(computeLayout(input));
    try {
      workerUrl ??= URL.createObjectURL(new Blob([layoutWorkerSource()], { type: 'text/javascript' }));
      worker = new Worker(workerUrl);
    } catch {
      fallback();
      return;
    }
    worker.onmessage = (event: MessageEvent<{ result: LayoutResult }>) => {
      done(event.data.result);
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
  }, [input, cached, key, cache]);
  return cached ?? latest;
}
