import { useEffect, useState } from "react";
import { Link, useLocation, useParams } from "react-router-dom";
import { orders, payments } from "../api/shopApi";
import type { Order } from "../api/types";
import { StatusBadge } from "../components/StatusBadge";
import { Empty, ErrorMessage, Loading, Notice } from "../components/States";
import { formatDateTime, formatMoney, shortId } from "../lib/money";
import {
  canCancel, canRequestReturn, cancellationExplanation, cancellationPending, failureExplanation, progressSteps, statusLabel,
} from "../lib/orderStatus";
import { paymentMethodLabel } from "../lib/paymentMethods";
import { useOrderPolling } from "../lib/useOrderPolling";
import { toApiError } from "../lib/useQuery";

export function OrderPage({ admin = false }: { admin?: boolean }) {
  const { orderId = "" } = useParams();
  const location = useLocation();
  const justPlaced = (location.state as { justPlaced?: boolean } | null)?.justPlaced === true;
  const { order, placing, error, notFound, retry, followCancellation, followStatusChange } = useOrderPolling(orderId, justPlaced);
  const back = admin ? <Link to="/admin/orders">← All orders</Link> : <Link to="/orders">← Your orders</Link>;

  if (notFound) {
    return (
      <Empty title="This order was not found.">
        <p>It may belong to another account, or the link is wrong.</p>
        {back}
      </Empty>
    );
  }
  if (!order) {
    return (
      <section>
        <p>{back}</p>
        <h1>Order {shortId(orderId)}</h1>
        {error ? <ErrorMessage title="The order could not be loaded" error={error} onRetry={retry} /> : <Loading label={placing ? "Placing your order… this takes a moment." : "Loading the order…"} />}
      </section>
    );
  }

  return (
    <section className="order-page">
      <p>{back}</p>
      <h1>Order {shortId(order.orderId)}</h1>
      <p className="order-status" role="status" aria-live="polite">
        Status: <StatusBadge status={order.status} testId="order-status" />
      </p>
      {error && <Notice tone="error">Live updates are paused: {error.message} Retrying…</Notice>}
      <OrderOutcome order={order} />
      <ProgressSteps order={order} />
      <div className="order-columns">
        <OrderLines order={order} />
        <Timeline order={order} />
      </div>
      <CancelOrder order={order} onRequested={followCancellation} />
      <ReturnOrder order={order} onRequested={followStatusChange} />
      {admin && <FulfilmentActions order={order} onRequested={followStatusChange} />}
    </section>
  );
}

function OrderOutcome({ order }: { order: Order }) {
  const declineReason = useDeclineReason(order);
  if (order.status === "Failed") {
    const explanation = failureExplanation(order.failureReason, declineReason);
    return (
      <div className="outcome outcome-failed" role="alert" data-testid="order-outcome">
        <h2>{explanation.title}</h2>
        <p>{explanation.text}</p>
        <p>
          <Link to="/cart">Back to your cart</Link> · <Link to="/">Continue shopping</Link>
        </p>
      </div>
    );
  }
  if (order.status === "Cancelled" || order.status === "Refunded") {
    const explanation = cancellationExplanation(order);
    return (
      <div className="outcome outcome-neutral" data-testid="order-outcome">
        <h2>{explanation.title}</h2>
        <p>{explanation.text}</p>
      </div>
    );
  }
  if (order.status === "Shipped") {
    return (
      <div className="outcome outcome-success" data-testid="order-outcome">
        <h2>Your order is on its way.</h2>
        {order.trackingReference && <p>Tracking reference: {order.trackingReference}</p>}
        {order.returnUntil && <p>You can return it until {formatDateTime(order.returnUntil)}.</p>}
      </div>
    );
  }
  if (order.status === "ReturnRequested") {
    return (
      <div className="outcome outcome-neutral" data-testid="order-outcome">
        <h2>Return registered</h2>
        <p>Please send the items back. We refund your payment as soon as they arrive.</p>
      </div>
    );
  }
  if (order.status === "ReturnReceived") {
    return (
      <div className="outcome outcome-neutral" data-testid="order-outcome">
        <h2>Return received</h2>
        <p>The items you sent back have arrived; your refund is being processed.</p>
      </div>
    );
  }
  if (order.status === "Completed" && !cancellationPending(order)) {
    return (
      <div className="outcome outcome-success" data-testid="order-outcome">
        <h2>Thank you! Your order is complete.</h2>
        <p>Your payment was received and a confirmation is on its way to you.</p>
      </div>
    );
  }
  return (
    <p className="muted">
      {cancellationPending(order) ? "Your cancellation is being processed…" : "We are processing your order. This page updates by itself."}
    </p>
  );
}

/** The payment provider's own words for a decline ("Your card has insufficient funds."), when it has some. */
function useDeclineReason(order: Order): string | null {
  const [reason, setReason] = useState<string | null>(null);
  const declined = order.failureReason === "PaymentDeclined";
  useEffect(() => {
    if (!declined) return;
    const controller = new AbortController();
    payments.get(order.orderId, controller.signal).then(
      (payment) => setReason(payment.declineReason ?? null),
      () => setReason(null),
    );
    return () => controller.abort();
  }, [declined, order.orderId]);
  return reason;
}

function ProgressSteps({ order }: { order: Order }) {
  const reached = new Set(order.timeline.map((entry) => entry.status));
  const stopped = order.status === "Failed" || order.status === "Cancelled";
  return (
    <ol className="progress" aria-label="Order progress">
      {progressSteps.map((step) => {
        const done = reached.has(step);
        const state = done ? "done" : stopped ? "skipped" : order.status === step ? "current" : "upcoming";
        return (
          <li key={step} className={`progress-step ${state}`} aria-current={order.status === step ? "step" : undefined}>
            <span className="progress-marker" aria-hidden="true">
              {done ? "✓" : ""}
            </span>
            {statusLabel(step)}
            <span className="visually-hidden">{done ? " (done)" : stopped ? " (not reached)" : " (pending)"}</span>
          </li>
        );
      })}
    </ol>
  );
}

function OrderLines({ order }: { order: Order }) {
  return (
    <div className="card">
      <h2>Items</h2>
      <table className="lines">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Qty</th>
            <th scope="col">Price</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.productId}>
              <td>{line.name}</td>
              <td>{line.quantity}</td>
              <td>{formatMoney(line.unitPrice * line.quantity, order.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td data-testid="order-total">{formatMoney(order.total, order.currency)}</td>
          </tr>
        </tfoot>
      </table>
      <p className="muted">Payment: {paymentMethodLabel(order.payment?.method)}</p>
      {(order.payment?.refunded ?? 0) > 0 && <p className="muted">Refunded: {formatMoney(order.payment?.refunded ?? 0, order.currency)}</p>}
      {order.shippingAddress && (
        <p className="muted">
          Ships to {order.shippingAddress.name}, {order.shippingAddress.line1}, {order.shippingAddress.postalCode} {order.shippingAddress.city},{" "}
          {order.shippingAddress.country}
        </p>
      )}
    </div>
  );
}

function Timeline({ order }: { order: Order }) {
  return (
    <div className="card">
      <h2>History</h2>
      <ol className="timeline" aria-label="Order history">
        {order.timeline.map((entry, index) => (
          <li key={`${entry.status}-${entry.at}-${index}`}>
            <strong>{statusLabel(entry.status)}</strong>
            <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
            {entry.detail && <span className="muted"> — {entry.detail}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}

function CancelOrder({ order, onRequested }: { order: Order; onRequested(): void }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, requested, run } = useOrderRequest(onRequested);
  if (requested && !cancellationPending(order) && canCancel(order)) {
    // Asked; the saga has not recorded it yet.
    return <p className="muted" role="status">Cancellation requested…</p>;
  }
  if (!canCancel(order)) return null;
  const afterConfirmation = order.status === "Confirmed" || order.status === "Completed";

  const cancel = () =>
    run(async () => {
      await orders.cancel(order.orderId);
      setConfirming(false);
    });

  return (
    <div className="cancel-box">
      {error && <Notice tone="error">{error}</Notice>}
      {confirming ? (
        <>
          <p>{afterConfirmation ? "Cancel this order? Your payment will be refunded." : "Cancel this order? Reserved items go back to stock."}</p>
          <div className="inline">
            <button type="button" className="button danger" onClick={cancel} disabled={busy}>
              {busy ? "Cancelling…" : "Yes, cancel the order"}
            </button>
            <button type="button" className="button secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Keep the order
            </button>
          </div>
        </>
      ) : (
        <button type="button" className="button secondary" onClick={() => setConfirming(true)}>
          Cancel order
        </button>
      )}
    </div>
  );
}

/** Runs one order request (a return, shipping, goods received): busy state and the service's refusal shown in words. */
function useOrderRequest(onRequested: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [requested, setRequested] = useState(false);
  const run = async (request: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await request();
      setRequested(true);
      onRequested();
    } catch (e) {
      setError(toApiError(e).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, requested, run };
}

function ReturnOrder({ order, onRequested }: { order: Order; onRequested(): void }) {
  const [reason, setReason] = useState("");
  const { busy, error, requested, run } = useOrderRequest(onRequested);
  if (requested && canRequestReturn(order)) return <p className="muted" role="status">Return requested…</p>;
  if (!canRequestReturn(order)) return null;
  return (
    <form className="cancel-box" onSubmit={(e) => { e.preventDefault(); void run(() => orders.requestReturn(order.orderId, reason)); }}>
      {error && <Notice tone="error">{error}</Notice>}
      <label>
        Reason for the return (optional)
        <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </label>
      <button type="submit" className="button secondary" disabled={busy}>
        {busy ? "Requesting…" : "Return the order"}
      </button>
    </form>
  );
}

/** Admin only: the warehouse's steps (shipped, returned goods received). */
function FulfilmentActions({ order, onRequested }: { order: Order; onRequested(): void }) {
  const [tracking, setTracking] = useState("");
  const { busy, error, run } = useOrderRequest(onRequested);
  if (!order.canShip && !order.canRecordReturnReceived) return null;
  return (
    <div className="cancel-box">
      {error && <Notice tone="error">{error}</Notice>}
      {order.canShip && (
        <form onSubmit={(e) => { e.preventDefault(); void run(() => orders.ship(order.orderId, tracking)); }}>
          <label>
            Tracking reference (optional)
            <input value={tracking} maxLength={100} onChange={(e) => setTracking(e.target.value)} />
          </label>
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Saving…" : "Mark as shipped"}
          </button>
        </form>
      )}
      {order.canRecordReturnReceived && (
        <button type="button" className="button" disabled={busy} onClick={() => void run(() => orders.recordReturnReceived(order.orderId))}>
          {busy ? "Saving…" : "Record returned goods received"}
        </button>
      )}
    </div>
  );
}
