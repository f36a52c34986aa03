import { approvalSplit, type CircuitStatusInput } from '../lib/circuit-status';
import { StatusBadge } from './Badges';

/**
 * A circuit's review status. An approval belongs to its version: after a later save the badge stays "approved v4"
 * and the text beside it says what the newer version's status is ("v5 not reviewed").
 */
export function CircuitStatus({ circuit }: { circuit: CircuitStatusInput }) {
  const split = approvalSplit(circuit);
  if (!split) return <StatusBadge status={circuit.status} />;
  return (
    <span className="circuit-status" data-testid="circuit-status" data-status={circuit.status}>
      <span className="badge status-approved" data-status="APPROVED">
        {split.approved}
      </span>
      <span className="small muted">; {split.latest}</span>
    </span>
  );
}
