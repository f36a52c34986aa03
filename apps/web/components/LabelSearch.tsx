'use client';

import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useEffect, useId, useState } from 'react';
import type { SearchLabelsQuery } from '../lib/generated/graphql';
import { featurePath } from '../lib/graph';
import { SEARCH_LABELS } from '../lib/labeling-operations';
import { useAppRouter } from '../lib/navigation';
import { StatusBadge } from './Badges';
import styles from './LabelSearch.module.css';

type Hit = SearchLabelsQuery['searchLabels'][number];

/** Waits until typing pauses, so a word is one request rather than one per letter. */
function useSettled(value: string, ms = 250): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The header's label search: words in labels' names and descriptions (the API's full-text search, best match
 * first) over public labels and the viewer's teams'; each result names the feature, its status and score and opens
 * the feature page. Enter opens the first result, Escape closes the list.
 */
export function LabelSearch() {
  const router = useAppRouter();
  const listId = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const query = useSettled(text.trim());
  const result = useQuery(SEARCH_LABELS, {
    variables: { query },
    skip: query.length < 2,
    fetchPolicy: 'cache-and-network',
  });
  const hits = query.length < 2 ? [] : (result.data?.searchLabels ?? []);
  const shown = open && query.length >= 2;
  const pathOf = (hit: Hit) => featurePath(hit.label);

  return (
    <search className={styles.search}>
      <input
        type="search"
        aria-label="Search labels"
        placeholder="Search labels…"
        value={text}
        aria-controls={listId}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false);
          if (event.key === 'Enter' && hits[0]) {
            setOpen(false);
            router.push(pathOf(hits[0]));
          }
        }}
      />
      {shown && (
        <ul id={listId} className={styles.results} aria-label="Label search results">
          {hits.map((hit) => (
            <li key={hit.label.id}>
              <Link href={pathOf(hit)} onClick={() => setOpen(false)}>
                <span className={styles.name}>{hit.label.name}</span>
                <StatusBadge status={hit.label.status} />
                <span className="muted small">score {hit.label.score}</span>
                <span className={`muted small ${styles.feature}`}>
                  {hit.label.saeId} #{hit.label.featureIndex}
                </span>
              </Link>
            </li>
          ))}
          {!hits.length && (
            <li className="muted small">{result.loading ? 'Searching…' : `No labels match “${query}”.`}</li>
          )}
        </ul>
      )}
    </search>
  );
}
