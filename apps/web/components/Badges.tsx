const STATUS_TEXT: Record<string, string> = {
  DRAFT: 'draft',
  IN_REVIEW: 'in review',
  APPROVED: 'approved',
  CHANGES_REQUESTED: 'changes requested',
  PROPOSED: 'proposed',
  ACCEPTED: 'accepted',
  DISPUTED: 'disputed',
  PENDING: 'pending',
};

/** A circuit, label or review state in words ("changes requested"). */
export function statusText(status: string): string {
  return STATUS_TEXT[status] ?? status.toLowerCase();
}

/** A coloured pill for circuit, label and review states. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge status-${status.toLowerCase()}`} data-status={status}>
      {statusText(status)}
    </span>
  );
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}
