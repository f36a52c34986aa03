import { type ApolloCache, gql, type TypedDocumentNode } from '@apollo/client';
import { CIRCUIT_EVIDENCE, type EvidenceRow, LABEL_EVIDENCE } from './evidence-operations';

/**
 * Saved evidence reaches the tab that saved it once: the mutation's answer is written into the cached evidence lists
 * (addSavedEvidence), and the live event the save also sends is then already shown (evidenceListed), so that tab
 * does not fetch the list again; every other tab, not holding the row, fetches it on the event.
 */

/** A label's evidence list (LABEL_EVIDENCE) or one circuit version's (CIRCUIT_EVIDENCE). */
export type EvidenceListKey = { labelId: string } | { slug: string; version: number };

const CIRCUIT_SLUG: TypedDocumentNode<{ slug: string }> = gql`
  fragment EvidenceCircuitSlug on Circuit {
    slug
  }
`;

function readList(cache: ApolloCache, list: EvidenceListKey): EvidenceRow[] | null {
  if ('labelId' in list) {
    return cache.readQuery({ query: LABEL_EVIDENCE, variables: { id: list.labelId } })?.label.evidence ?? null;
  }
  return cache.readQuery({ query: CIRCUIT_EVIDENCE, variables: list })?.circuit.evidence ?? null;
}

/** Whether the cached list already shows evidence `id`: then an event about it has nothing new to fetch. */
export function evidenceListed(cache: ApolloCache, list: EvidenceListKey, id: string): boolean {
  return Boolean(readList(cache, list)?.some((row) => row.id === id));
}

/** Appends a row just saved to its label's or circuit version's list, where that list is cached (oldest first). */
export function addSavedEvidence(cache: ApolloCache, row: EvidenceRow): void {
  if (row.labelId) {
    cache.updateQuery({ query: LABEL_EVIDENCE, variables: { id: row.labelId } }, (data) =>
      data && !data.label.evidence.some((e) => e.id === row.id)
        ? { label: { ...data.label, evidence: [...data.label.evidence, row] } }
        : undefined,
    );
  }
  if (row.circuitId && row.version !== null) {
    // The list is asked for by slug; the circuit's page has its slug in the cache.
    const circuit = cache.identify({ __typename: 'Circuit', id: row.circuitId });
    const slug = circuit ? cache.readFragment({ id: circuit, fragment: CIRCUIT_SLUG })?.slug : undefined;
    if (!slug) return;
    cache.updateQuery({ query: CIRCUIT_EVIDENCE, variables: { slug, version: row.version } }, (data) =>
      data && !data.circuit.evidence.some((e) => e.id === row.id)
        ? { circuit: { ...data.circuit, evidence: [...data.circuit.evidence, row] } }
        : undefined,
    );
  }
}
