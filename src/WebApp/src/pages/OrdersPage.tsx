import { Link } from "react-router-dom";
import { orders } from "../api/shopApi";
import { StatusBadge } from "../components/StatusBadge";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { formatDateTime, formatMoney, shortId } from "../lib/money";
import { useQuery } from "../lib/useQuery";

export function OrdersPage() {
  const { state, reload } = useQuery((signal) => orders.mine(signal), []);
  return (
    <section>
      <h1>Your orders</h1>
      {state.status === "loading" && <Loading label="Loading your orders…" />}
      {state.status === "error" && <ErrorMessage title="Your orders could not be loaded" error={state.error} onRetry={reload} />}
      {state.status === "ready" &&
        (state.data.length === 0 ? (
          <Empty title="You have not placed any orders yet.">
            <Link to="/">Browse the catalog</Link>
          </Empty>
        ) : (
          <ul className="order-list" aria-label="Your orders">
            {state.data.map((order) => (
              <li key={order.orderId} className="card order-row">
                <Link to={`/orders/${order.orderId}`}>Order {shortId(order.orderId)}</Link>
                <span className="muted">{formatDateTime(order.createdAt)}</span>
                <StatusBadge status={order.status} />
                <strong>{formatMoney(order.total, order.currency)}</strong>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
