import { statusLabel, statusTone } from "../lib/orderStatus";

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge badge-${statusTone(status)}`} data-testid={testId}>
      {statusLabel(status)}
    </span>
  );
}
