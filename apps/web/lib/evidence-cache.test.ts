import { gql, InMemoryCache } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { addSavedEvidence, evidenceListed } from './evidence-cache';
import { CIRCUIT_EVIDENCE, type EvidenceRow, LABEL_EVIDENCE } from './evidence-operations';

// A real Apollo cache, filled as the app's queries fill it (rows with their __typename, as Apollo receives them).
const author = { __typename: 'User', id: 'u1', displayName: 'Ada' } as const;
function row(id: string, over: Partial<EvidenceRow> = {}): EvidenceRow {
  return {
    __typename: 'Evidence',
    id,
    kind: 'steer',
    labelId: 'label-1',
    circuitId: null,
    version: null,
    inputs: { text: id },
    result: {},
    author,
    createdAt: '2026-12-02T00:00:00.000Z',
    ...over,
  } as EvidenceRow;
}

function labelCache(rows: EvidenceRow[]) {
  const cache = new InMemoryCache();
  cache.writeQuery({
    query: LABEL_EVIDENCE,
    variables: { id: 'label-1' },
    data: { label: { __typename: 'FeatureLabel', id: 'label-1', evidence: rows } } as never,
  });
  return cache;
}
const labelRows = (cache: InMemoryCache) =>
  cache.readQuery({ query: LABEL_EVIDENCE, variables: { id: 'label-1' } })?.label.evidence.map((e) => e.id);

describe('evidence saved in this tab', () => {
  it('is appended to its label’s cached list once, and then counts as listed', () => {
    const cache = labelCache([row('e1')]);
    expect(evidenceListed(cache, { labelId: 'label-1' }, 'e2')).toBe(false);
    addSavedEvidence(cache, row('e2'));
    expect(labelRows(cache)).toEqual(['e1', 'e2']);
    expect(evidenceListed(cache, { labelId: 'label-1' }, 'e2')).toBe(true);
    // The same answer again (or after a refetch brought it) adds nothing.
    addSavedEvidence(cache, row('e2'));
    expect(labelRows(cache)).toEqual(['e1', 'e2']);
  });

  it('leaves other labels’ lists alone, and writes no list nobody has asked for', () => {
    const cache = labelCache([row('e1')]);
    addSavedEvidence(cache, row('e3', { labelId: 'label-2' }));
    expect(labelRows(cache)).toEqual(['e1']);
    expect(cache.readQuery({ query: LABEL_EVIDENCE, variables: { id: 'label-2' } })).toBeNull();
    // An event about evidence on a list not cached: not listed, so it is fetched.
    expect(evidenceListed(cache, { labelId: 'label-2' }, 'e3')).toBe(false);
  });

  it('is appended to its circuit version’s list, found by the slug the circuit page cached, not to other versions', () => {
    const cache = new InMemoryCache();
    cache.writeFragment({
      id: 'Circuit:c1',
      fragment: gql`
        fragment Slug on Circuit {
          id
          slug
        }
      `,
      data: { __typename: 'Circuit', id: 'c1', slug: 'is-are' },
    });
    for (const version of [1, 2]) {
      cache.writeQuery({
        query: CIRCUIT_EVIDENCE,
        variables: { slug: 'is-are', version },
        data: { circuit: { __typename: 'Circuit', id: 'c1', evidence: [] } } as never,
      });
    }
    const ablation = row('a1', { kind: 'ablate', labelId: null, circuitId: 'c1', version: 2 });
    addSavedEvidence(cache, ablation);
    const ids = (version: number) =>
      cache
        .readQuery({ query: CIRCUIT_EVIDENCE, variables: { slug: 'is-are', version } })
        ?.circuit.evidence.map((e) => e.id);
    expect(ids(2)).toEqual(['a1']);
    expect(ids(1)).toEqual([]);
    expect(evidenceListed(cache, { slug: 'is-are', version: 2 }, 'a1')).toBe(true);
    expect(evidenceListed(cache, { slug: 'is-are', version: 1 }, 'a1')).toBe(false);
  });
});
