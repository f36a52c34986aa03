/** What a circuit's status line needs: the latest version's status and the newest approved version. */
export interface CircuitStatusInput {
  status: string;
  latestVersion: number;
  approvedVersion?: number | null;
}

const LATEST_TEXT: Record<string, string> = {
  DRAFT: 'not reviewed',
  IN_REVIEW: 'in review',
  CHANGES_REQUESTED: 'changes requested',
};

/**
 * An approval belongs to a version: when a later version has not been approved, the line says both, e.g.
 * "approved v4; v5 not reviewed". Null when the latest version's status says it all (no earlier approval, or the
 * latest is the approved one).
 */
export function approvalSplit(circuit: CircuitStatusInput): { approved: string; latest: string } | null {
  const { status, latestVersion, approvedVersion } = circuit;
  if (approvedVersion == null || approvedVersion >= latestVersion || status === 'APPROVED') return null;
  return {
    approved: `approved v${approvedVersion}`,
    latest: `v${latestVersion} ${LATEST_TEXT[status] ?? status.toLowerCase()}`,
  };
}
