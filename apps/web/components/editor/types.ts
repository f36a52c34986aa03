import type { CircuitPermissions } from '../../lib/operations';

/** What the circuit editor's parts share: the circuit, the version being edited, its reviews (as the API sends them). */

export interface CircuitInfo {
  id: string;
  slug: string;
  title: string;
  teamId: string;
  visibility: string;
  latestVersion: number;
  can: CircuitPermissions;
  onlyVersion: number | null;
  status: string;
  /** The newest version all of whose reviewers approved; a later save keeps it. */
  approvedVersion: number | null;
  createdBy: { id: string; displayName: string } | null;
  reviewAgreement: { approved: number; changesRequested: number; pending: number; agreement: number };
  updatedAt: string;
}

export interface VersionData {
  number: number;
  parent: number | null;
  graph: unknown;
  layout: unknown;
  groups: unknown;
  annotations: unknown;
  message: string;
  createdAt: string;
  author: { id: string; displayName: string } | null;
}

export interface ReviewRow {
  id: string;
  version: number;
  state: string;
  comment: string | null;
  decidedAt: string | null;
  createdAt: string;
  reviewer: { id: string; displayName: string; email: string | null } | null;
  requestedBy: { id: string; displayName: string } | null;
}
