import { Link } from "react-router-dom";
import { notifications } from "../api/shopApi";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { formatDateTime, shortId } from "../lib/money";
import { useQuery } from "../lib/useQuery";

/** What the shop sent the shopper (order confirmations, failures), with delivery status. */
export function NotificationsPage() {
  const { state, reload } = useQuery((signal) => notifications.mine(signal), []);
  return (
    <section>
      <h1>Messages</h1>
      {state.status === "loading" && <Loading label="Loading your messages…" />}
      {state.status === "error" && <ErrorMessage title="Your messages could not be loaded" error={state.error} onRetry={reload} />}
      {state.status === "ready" &&
        (state.data.length === 0 ? (
          <Empty title="No messages yet." />
        ) : (
          <ul className="order-list" aria-label="Messages">
            {state.data.map((n, index) => (
              <li key={`${n.orderId}-${n.kind}-${index}`} className="card order-row">
                <strong>{n.subject}</strong>
                <span className="muted">
                  {n.channel} to {n.recipient} · {n.status} · {formatDateTime(n.sentAt ?? n.createdAt)}
                </span>
                <Link to={`/orders/${n.orderId}`}>Order {shortId(n.orderId)}</Link>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
