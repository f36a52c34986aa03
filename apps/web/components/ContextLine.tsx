/** One text window of a feature's dashboard: its tokens and the feature's activation on each. */
export interface DashboardContext {
  tokens: string[];
  values: number[];
  max: number;
}

/** Query.featureDashboard as FEATURE_DASHBOARD reads it. */
export interface Dashboard {
  maxActivation: number;
  density: number;
  histogram: { edges: number[]; counts: number[] };
  topContexts: DashboardContext[];
  quantiles: { from: number; to: number; contexts: DashboardContext[] }[];
  topLogits: { token: string; value: number }[];
  bottomLogits: { token: string; value: number }[];
  corpus: string;
  createdAt: string;
}

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
