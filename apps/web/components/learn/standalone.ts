import type { Annotations } from '../../lib/graph';
import type { CircuitInfo, VersionData } from '../editor/types';

/**
 * What the editor needs to open a circuit that is stored nowhere (the walkthrough's): one version, nobody's, no
 * permissions (nothing to save, comment or share on), so the editor runs in its standalone mode.
 */
export function standaloneCircuit(
  slug: string,
  title: string,
  graph: unknown,
  annotations: Annotations,
  message: string,
): { info: CircuitInfo; version: VersionData } {
  const now = new Date().toISOString();
  return {
    info: {
      id: slug,
      slug,
      title,
      teamId: '',
      visibility: 'PUBLIC',
      latestVersion: 1,
      can: { comment: false, edit: false, manage: false },
      onlyVersion: null,
      status: 'DRAFT',
      approvedVersion: null,
      createdBy: null,
      reviewAgreement: { approved: 0, changesRequested: 0, pending: 0, agreement: 0 },
      updatedAt: now,
    },
    version: {
      number: 1,
      parent: null,
      graph,
      layout: {},
      groups: [],
      annotations,
      message,
      createdAt: now,
      author: null,
    },
  };
}
