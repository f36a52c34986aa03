import type { CircuitFieldsFragment, CircuitMetaQuery, CircuitQuery } from '../../lib/generated/graphql';

/** What the circuit editor's parts share: the circuit, the version being edited, its reviews (as the API sends them). */

/** The circuit as CircuitFields reads it (approvedVersion: the newest version all of whose reviewers approved). */
export type CircuitInfo = CircuitFieldsFragment;

/** A version as CIRCUIT reads it; graph, layout, groups and annotations are JSON (lib/graph.ts reads them). */
export type VersionData = CircuitQuery['circuit']['version'];

/** A review of the latest version as CIRCUIT_META reads it. */
export type ReviewRow = CircuitMetaQuery['circuit']['reviews'][number];
