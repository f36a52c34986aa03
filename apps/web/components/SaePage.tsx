'use client';

import { useApolloClient, useQuery } from '@apollo/client/react';
import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { SaeFeaturesQuery } from '../lib/generated/graphql';
import { SAE_COVERAGE, SAE_FEATURES } from '../lib/labeling-operations';
import {
  featureInView,
  SAE_FILTERS,
  SAE_SORTS,
  type SaeFilter,
  type SaeSort,
  type SaeView,
  saeViewOf,
  saeViewQuery,
} from '../lib/labeling-url';
import { useAppRouter } from '../lib/navigation';
import { MY_TEAMS } from '../lib/operations';
import { formatDate, StatusBadge } from './Badges';
import { SaeDrafts } from './LabelDrafts';
import styles from './SaePage.module.css';
import { TopBar, useMe } from './TopBar';

/** One feature of the SAE page as SAE_FEATURES reads it. */
type Row = SaeFeaturesQuery['saeFeatures']['edges'][number]['node'];

const PAGE = 100;
const ROW_HEIGHT = 36;
const SORT_TEXT: Record<SaeSort, string> = {
  INDEX: 'Index',
  DENSEST: 'Densest first',
  SPARSEST: 'Sparsest first',
  MAX_ACTIVATION: 'Max activation',
  RECENT_ACTIVITY: 'Recent activity',
  LABEL: 'Label A–Z',
};
const FILTER_TEXT: Record<SaeFilter, string> = {
  ALL: 'All',
  UNLABELED: 'Unlabeled',
  LABELED: 'Labeled',
  ACCEPTED: 'Accepted',
  DISPUTED: 'Disputed',
  DEAD: 'Dead',
  IN_CIRCUIT: 'In a circuit',
};
const count = (n: number) => n.toLocaleString('en-US');
const percent = (x: number | null) => (x === null ? '–' : `${(x * 100).toPrecision(3)}%`);

/**
 * Pages of the table's rows by their offset, fetched as the virtualised list scrolls to them; a new team, sort or
 * filter starts over.
 */
function useFeatureRows(modelId: string, saeId: string, { teamId, sort, filter }: SaeView) {
  const client = useApolloClient();
  const [pages, setPages] = useState<Map<number, Row[]>>(new Map());
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asked = useRef(new Set<number>());
  // Answers to an earlier view that arrive late are dropped: the ref holds the view being shown.
  const current = useRef<unknown>(null);

  const load = useCallback(
    async (page: number) => {
      if (asked.current.has(page)) return;
      asked.current.add(page);
      const mine = asked.current;
      try {
        const { data } = await client.query({
          query: SAE_FEATURES,
          variables: { model: modelId, sae: saeId, teamId, sort, filter, offset: page * PAGE },
          fetchPolicy: 'network-only',
        });
        if (mine !== current.current || !data) return;
        setTotal(data.saeFeatures.totalCount);
        setPages((old) =>
          new Map(old).set(
            page,
            data.saeFeatures.edges.map((e) => e.node),
          ),
        );
      } catch (caught) {
        mine.delete(page);
        if (mine === current.current) setError(errorMessage(caught));
      }
    },
    [client, modelId, saeId, teamId, sort, filter],
  );

  // Bumped to fetch the same view again (drafts were just written).
  const [generation, setGeneration] = useState(0);
  // A new view (a new load) starts over from its first page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the trigger
  useEffect(() => {
    asked.current = new Set();
    current.current = asked.current;
    setPages(new Map());
    setTotal(null);
    setError(null);
    void load(0);
  }, [load, generation]);

  const rowAt = (i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  return { total, error, rowAt, load, refresh: () => setGeneration((g) => g + 1) };
}

/** /models/{model}/{sae}: every feature of an SAE, sortable and filterable, with the team's coverage. */
export function SaePage({ modelId, saeId }: { modelId: string; saeId: string }) {
  const router = useAppRouter();
  const search = useSearchParams();
  const { me } = useMe();
  const teams = useQuery(MY_TEAMS, { skip: !me });
  const view = saeViewOf(new URLSearchParams(search.toString()), teams.data?.myTeams[0]?.id ?? null);
  const team = teams.data?.myTeams.find((t) => t.id === view.teamId);
  // TeamFields carries the viewer's permissions in the team.
  const mayDraft = Boolean((team as { can?: { proposeLabels?: boolean } } | undefined)?.can?.proposeLabels);
  const coverage = useQuery(SAE_COVERAGE, {
    variables: { model: modelId, sae: saeId, teamId: view.teamId },
    fetchPolicy: 'cache-and-network',
  });
  const { total, error, rowAt, load, refresh } = useFeatureRows(modelId, saeId, view);
  const setView = (change: Partial<SaeView>) => router.replace(saeViewQuery({ ...view, ...change }) || '?');

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const firstShown = items[0]?.index;
  const lastShown = items.at(-1)?.index;
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items.at(-1)!.end : 0;
  useEffect(() => {
    if (firstShown === undefined || lastShown === undefined) return;
    for (let page = Math.floor(firstShown / PAGE); page <= Math.floor(lastShown / PAGE); page++) void load(page);
  }, [firstShown, lastShown, load]);

  const c = coverage.data?.saeCoverage;
  return (
    <>
      <TopBar />
      <main className="wide stack">
        <nav className="small muted" aria-label="Breadcrumb">
          Models / {modelId} / {saeId}
        </nav>
        <div className="row spread wrap">
          <h1 className="page-title" data-testid="sae-title">
            {saeId} <span className="muted small">{modelId}</span>
          </h1>
          {(teams.data?.myTeams.length ?? 0) > 0 && (
            <label className="row">
              Team
              <select
                aria-label="Team"
                value={view.teamId ?? ''}
                onChange={(event) => setView({ teamId: event.target.value || null })}
              >
                {teams.data?.myTeams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>

        <section className="card stack" aria-label="Coverage">
          <p className={styles.coverage} data-testid="sae-coverage">
            {c ? (
              <>
                <strong>
                  {count(c.labeled)} of {count(c.features)} labeled, {count(c.accepted)} accepted
                </strong>
                <span className="muted">
                  {' '}
                  · {count(c.disputed)} disputed · {count(c.dead)} dead · {count(c.inCircuits)} in circuits
                  {team ? ` of ${team.name}` : ''}
                  {c.withDashboards === 0
                    ? ' · no dashboards computed yet (density and max activation come from them)'
                    : c.withDashboards < c.features && ` · dashboards for ${count(c.withDashboards)}`}
                </span>
              </>
            ) : (
              <span className="muted">Counting…</span>
            )}
          </p>
          <p className="muted small">
            {team ? `Labels and circuits of ${team.name}.` : 'Public labels of every team.'} Open a feature to label it;
            on a feature page, j and k go through this list in this order, n to the next unlabeled one.
          </p>
          {team && mayDraft && (
            <SaeDrafts
              modelId={modelId}
              saeId={saeId}
              team={team}
              onDone={() => {
                refresh();
                void coverage.refetch();
              }}
            />
          )}
        </section>

        <div className="row spread wrap">
          <fieldset className="plain-fieldset" aria-label="Filter">
            <div className={styles.filters}>
              {SAE_FILTERS.map((f) => (
                <button key={f} type="button" aria-pressed={view.filter === f} onClick={() => setView({ filter: f })}>
                  {FILTER_TEXT[f]}
                </button>
              ))}
            </div>
          </fieldset>
          <label className="row">
            Sort
            <select
              aria-label="Sort"
              value={view.sort}
              onChange={(event) => setView({ sort: event.target.value as SaeSort })}
            >
              {SAE_SORTS.map((s) => (
                <option key={s} value={s}>
                  {SORT_TEXT[s]}
                </option>
              ))}
            </select>
          </label>
        </div>

        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <p className="muted small" data-testid="sae-count">
          {total === null ? 'Loading…' : `${count(total)} features`}
        </p>
        <div ref={scroller} className={styles.scroller}>
          <table className={styles.table} aria-label="Features" aria-rowcount={total ?? undefined}>
            <thead>
              <tr>
                <th>Feature</th>
                <th>Label</th>
                <th className={styles.num}>Density</th>
                <th className={styles.num}>Max act.</th>
                <th>Circuit</th>
                <th>Last activity</th>
              </tr>
            </thead>
            <tbody>
              {/* Only the rows in view are in the document; spacers keep the scroll height of all of them. */}
              {padTop > 0 && <tr aria-hidden style={{ height: padTop }} />}
              {items.map((item) => {
                const row = rowAt(item.index);
                return (
                  <tr key={item.key} aria-rowindex={item.index + 2} data-feature={row?.featureIndex}>
                    {row ? (
                      <>
                        <td>
                          <Link href={featureInView({ modelId, saeId, featureIndex: row.featureIndex }, view)}>
                            #{row.featureIndex}
                          </Link>
                        </td>
                        <td className={styles.label}>
                          {row.label ? (
                            <>
                              <StatusBadge status={row.label.status} />{' '}
                              <span title={row.label.name}>{row.label.name}</span>
                              {row.label.detectionScore !== null && (
                                <span
                                  className="badge"
                                  title="The LLM draft's detection score: balanced accuracy, 1 perfect, 0.5 chance"
                                >
                                  detection {row.label.detectionScore.toFixed(2)}
                                </span>
                              )}
                              {row.labelCount > 1 && <span className="muted small"> +{row.labelCount - 1}</span>}
                            </>
                          ) : (
                            <span className="muted">unlabeled</span>
                          )}
                        </td>
                        <td className={styles.num}>{percent(row.density)}</td>
                        <td className={styles.num}>
                          {row.maxActivation === null ? '–' : row.maxActivation.toFixed(2)}
                        </td>
                        <td>{row.inCircuit ? 'in a circuit' : ''}</td>
                        <td className="muted small">{formatDate(row.lastActivityAt)}</td>
                      </>
                    ) : (
                      <td colSpan={6} className="muted">
                        …
                      </td>
                    )}
                  </tr>
                );
              })}
              {padBottom > 0 && <tr aria-hidden style={{ height: padBottom }} />}
            </tbody>
          </table>
        </div>
      </main>
    </>
  );
}
