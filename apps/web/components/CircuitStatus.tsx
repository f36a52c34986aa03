import { approvalSplit, type CircuitStatusInput } from '../lib/circuit-status';
import { StatusBadge } from './Badges';
import './collaboration.css';

/**
 * A circuit's review status. An approval belongs to its version: after a later save the badge stays "approved v4"
 * and the text beside it says what the newer version's status is ("v5 not reviewed"). `compact` (the crowded
 * header) shows the badge alone, with the whole sentence as its tooltip.
 */
export function CircuitStatus({ circuit, compact = false }: { circuit: CircuitStatusInput; compact?: boolean }) {
  const split = approvalSplit(circuit);
  if (!split) return <StatusBadge status={circuit.status} />;
  const sentence = `${split.approved}; ${split.latest}`;
  return (
    <span
      className="circuit-status"
      data-testid="circuit-status"
      data-status={circuit.status}
      title={compact ? sentence : undefined}
    >
      <span className="badge status-approved" data-status="APPROVED">
        {split.approved}
      </span>
      {!compact && <span className="small muted">; {split.latest}</span>}
    </span>
  );
}
