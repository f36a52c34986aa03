import type { FeatureDashboardQuery } from '../lib/generated/graphql';

/** One text window of a feature's dashboard: its tokens and the feature's activation on each. */
export interface DashboardContext {
  tokens: string[];
  values: number[];
  max: number;
}

/** FeatureDashboard's JSON fields, as the schema describes them (the generated types can only say unknown). */
interface DashboardJson {
  histogram: { edges: number[]; counts: number[] };
  topContexts: DashboardContext[];
  quantiles: { from: number; to: number; contexts: DashboardContext[] }[];
  topLogits: { token: string; value: number }[];
  bottomLogits: { token: string; value: number }[];
}

type DashboardRow = NonNullable<FeatureDashboardQuery['featureDashboard']>;

/** Query.featureDashboard as FEATURE_DASHBOARD reads it, with its JSON fields read as described. */
export type Dashboard = Omit<DashboardRow, keyof DashboardJson> & DashboardJson;

/** The one place the dashboard's JSON is taken to have the shape the server writes (dashboards.ts). */
export const readDashboard = (row: DashboardRow | null | undefined): Dashboard | null =>
  row ? (row as Dashboard) : null;

/**
 * One context with each token shaded by the feature's activation there (relative to `peak`). Kept apart from
 * FeatureDashboard so the circuit editor's hover card can use it without loading the charts.
 */
export function ContextLine({ context, peak }: { context: DashboardContext; peak: number }) {
  return (
    <div className="context-line" data-testid="dashboard-context">
      {context.tokens.map((token, i) => {
        const value = context.values[i] ?? 0;
        const alpha = peak > 0 ? Math.min(1, value / peak) : 0;
        return (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: a token's position is its identity in the context
            key={i}
            title={value ? value.toFixed(3) : undefined}
            style={{ background: value > 0 ? `rgba(230, 120, 20, ${(0.15 + 0.75 * alpha).toFixed(2)})` : undefined }}
          >
            {token.replace(/\n/g, '↵')}
          </span>
        );
      })}
    </div>
  );
}
