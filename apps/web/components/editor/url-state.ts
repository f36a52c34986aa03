import type { Viewport } from '@xyflow/react';
import { isNavigationPending } from '../../lib/navigation';

/** View state carried in the URL query: selection, viewport, pinned nodes, thresholds (and the share token). */
export interface ViewState {
  selected: string[];
  viewport: Viewport | null;
  pinned: string[];
  edgeThreshold: number | null;
  nodeThreshold: number | null;
}

const list = (value: string | null) => (value ? value.split(',').filter(Boolean).map(decodeURIComponent) : []);

export function readViewState(params: URLSearchParams): ViewState {
  const vp = params.get('vp')?.split(',').map(Number);
  const num = (key: string) => {
    const value = params.get(key);
    return value !== null && value !== '' && Number.isFinite(Number(value)) ? Number(value) : null;
  };
  return {
    selected: list(params.get('sel')),
    viewport: vp && vp.length === 3 && vp.every(Number.isFinite) ? { x: vp[0]!, y: vp[1]!, zoom: vp[2]! } : null,
    pinned: list(params.get('pin')),
    edgeThreshold: num('ew'),
    nodeThreshold: num('ni'),
  };
}

/**
 * Writes the view state into the current URL without a navigation (Next keeps useSearchParams in sync). Returns false,
 * writing nothing, while a navigation the app started is loading: Next would discard it for this write.
 */
export function writeViewState(state: ViewState, pathname = window.location.pathname): boolean {
  if (isNavigationPending()) return false;
  const params = new URLSearchParams(window.location.search);
  const set = (key: string, value: string | null) => {
    if (value) params.set(key, value);
    else params.delete(key);
  };
  set('sel', state.selected.map(encodeURIComponent).join(','));
  set('pin', state.pinned.map(encodeURIComponent).join(','));
  set(
    'vp',
    state.viewport
      ? [state.viewport.x.toFixed(0), state.viewport.y.toFixed(0), state.viewport.zoom.toFixed(3)].join(',')
      : null,
  );
  set('ew', state.edgeThreshold ? String(state.edgeThreshold) : null);
  set('ni', state.nodeThreshold ? String(state.nodeThreshold) : null);
  const query = params.toString().replaceAll('%2C', ',');
  const next = `${pathname}${query ? `?${query}` : ''}`;
  if (next !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', next);
  return true;
}
