import { Link, useSearchParams } from "react-router-dom";
import { orders } from "../../api/shopApi";
import { Pager } from "../../components/Pager";
import { StatusBadge } from "../../components/StatusBadge";
import { Empty, ErrorMessage, Loading } from "../../components/States";
import { formatDateTime, formatMoney, shortId } from "../../lib/money";
import { orderStatuses, statusLabel } from "../../lib/orderStatus";
import { useQuery } from "../../lib/useQuery";

const PageSize = 20;

export function AdminOrdersPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const { state, reload } = useQuery((signal) => orders.all({ status: status || undefined, page, pageSize: PageSize }, signal), [status, page]);
  const go = (next: { status: string; page: number }) => {
    const search = new URLSearchParams();
    if (next.status) search.set("status", next.status);
    if (next.page > 1) search.set("page", String(next.page));
    setParams(search);
  };

  return (
    <section>
      <h1>All orders</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="order-status-filter">Status</label>
          <select id="order-status-filter" value={status} onChange={(e) => go({ status: e.target.value, page: 1 })}>
            <option value="">Any status</option>
            {orderStatuses.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {state.status === "loading" && <Loading label="Loading orders…" />}
      {state.status === "error" && <ErrorMessage title="The orders could not be loaded" error={state.error} onRetry={reload} />}
      {state.status === "ready" &&
        (state.data.items.length === 0 ? (
          <Empty title={status ? `No ${statusLabel(status).toLowerCase()} orders.` : "No orders yet."} />
        ) : (
          <>
            <div className="table-scroll">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Customer</th>
                    <th scope="col">Placed</th>
                    <th scope="col">Status</th>
                    <th scope="col">Total</th>
                  </tr>
                </thead>
                <tbody>
                  {state.data.items.map((order) => (
                    <tr key={order.orderId}>
                      <td>
                        <Link to={`/admin/orders/${order.orderId}`}>{shortId(order.orderId)}</Link>
                      </td>
                      <td>{order.customerEmail}</td>
                      <td>{formatDateTime(order.createdAt)}</td>
                      <td>
                        <StatusBadge status={order.status} />
                      </td>
                      <td>{formatMoney(order.total, order.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} pageSize={PageSize} total={state.data.total} onPage={(p) => go({ status, page: p })} label="Order pages" />
          </>
        ))}
    </section>
  );
}
