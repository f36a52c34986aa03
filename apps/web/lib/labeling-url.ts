import { type FeatureKey, featurePath } from './graph';

/** The SAE page's sorts and filters, as the API names them. */
export const SAE_SORTS = ['INDEX', 'DENSEST', 'SPARSEST', 'MAX_ACTIVATION', 'RECENT_ACTIVITY', 'LABEL'] as const;
export const SAE_FILTERS = ['ALL', 'UNLABELED', 'LABELED', 'ACCEPTED', 'DISPUTED', 'DEAD', 'IN_CIRCUIT'] as const;
export type SaeSort = (typeof SAE_SORTS)[number];
export type SaeFilter = (typeof SAE_FILTERS)[number];

/** The SAE page's order as the URL carries it (to the feature page too, for j, k and next unlabeled). */
export interface SaeView {
  teamId: string | null;
  sort: SaeSort;
  filter: SaeFilter;
}

const pick = <T extends string>(values: readonly T[], raw: string | null, fallback: T): T =>
  values.includes(raw as T) ? (raw as T) : fallback;

export function saeViewOf(params: URLSearchParams, defaultTeam: string | null = null): SaeView {
  return {
    teamId: params.get('team') ?? defaultTeam,
    sort: pick(SAE_SORTS, params.get('sort')?.toUpperCase() ?? null, 'INDEX'),
    filter: pick(SAE_FILTERS, params.get('filter')?.toUpperCase() ?? null, 'ALL'),
  };
}

/** The query string of a view: only what differs from the defaults. */
export function saeViewQuery(view: SaeView): string {
  const params = new URLSearchParams();
  if (view.teamId) params.set('team', view.teamId);
  if (view.sort !== 'INDEX') params.set('sort', view.sort.toLowerCase());
  if (view.filter !== 'ALL') params.set('filter', view.filter.toLowerCase());
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** /models/{model}/{sae segments...}: the SAE page (a feature page without its index). */
export function saePath(modelId: string, saeId: string): string {
  return `/models/${encodeURIComponent(modelId)}/${saeId.split('/').map(encodeURIComponent).join('/')}`;
}

export const featureInView = (key: FeatureKey, view: SaeView) => `${featurePath(key)}${saeViewQuery(view)}`;
