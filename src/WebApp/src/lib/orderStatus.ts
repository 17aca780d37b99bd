import type { Order } from "../api/types";

/** The happy path an order walks, in order; the page shows it as a progress list. */
export const progressSteps = ["Placed", "StockReserved", "PaymentCaptured", "Confirmed", "Completed"] as const;

const labels: Record<string, string> = {
  Placed: "Placed",
  StockReserved: "Stock reserved",
  PaymentCaptured: "Payment captured",
  Confirmed: "Confirmed",
  Completed: "Completed",
  Shipped: "Shipped",
  ReturnRequested: "Return requested",
  ReturnReceived: "Return received",
  Restocked: "Items back in stock",
  RestockFailed: "Items could not be restocked",
  StockCommitFailedAfterShipping: "Shipped items missing from the stock count",
  Failed: "Failed",
  Cancelled: "Cancelled",
  Refunded: "Refunded",
  CustomerNotified: "Customer notified",
  CustomerNotificationFailed: "Customer could not be notified",
  CancellationRequested: "Cancellation requested",
  RefundRequested: "Refund requested",
  RefundIssued: "Refund issued",
  RefundFailed: "Refund failed",
  PaymentCapturedLate: "Late payment, refunded",
};

export const orderStatuses = [
  "Placed", "StockReserved", "PaymentCaptured", "Confirmed", "Completed", "Shipped", "ReturnRequested", "ReturnReceived", "Failed", "Cancelled",
  "Refunded",
];

export function statusLabel(status: string): string {
  return labels[status] ?? status.replace(/([a-z])([A-Z])/g, "$1 $2");
}

export type StatusTone = "progress" | "success" | "danger" | "neutral";

export function statusTone(status: string): StatusTone {
  switch (status) {
    case "Completed":
    case "Confirmed":
    case "Shipped":
      return "success";
    case "Failed":
      return "danger";
    case "Cancelled":
    case "Refunded":
      return "neutral";
    default:
      return "progress";
  }
}

const closed = new Set(["Failed", "Cancelled", "Refunded"]);

const isRequest = (status: string) => status === "CancellationRequested" || status === "RefundRequested";

/** A cancellation or refund was asked for and the saga has not finished it yet (a failed refund finishes it too). */
export function cancellationPending(order: Order): boolean {
  if (closed.has(order.status)) return false;
  const lastRequest = order.timeline.map((entry) => entry.status).findLastIndex(isRequest);
  return lastRequest >= 0 && !order.timeline.slice(lastRequest + 1).some((entry) => entry.status === "RefundFailed");
}

/** The saga has taken up a cancellation: it is recorded, or the order is closed. */
export function cancellationShows(order: Order): boolean {
  return closed.has(order.status) || order.timeline.some((entry) => entry.status === "CancellationRequested");
}

/** Waiting for a person (shipping, the goods of a return), not for the system. */
const awaitingPerson = new Set(["Completed", "Shipped", "ReturnRequested"]);

/** Nothing more will happen to the order by itself: the page can stop polling. */
export function isSettled(order: Order): boolean {
  return (closed.has(order.status) || awaitingPerson.has(order.status)) && !cancellationPending(order);
}

/** The order service's answers for a return and for the admin's shipping steps; the page keeps no rule of its own. */
export function canRequestReturn(order: Order): boolean {
  return order.canRequestReturn === true;
}

/** The order service says whether a cancel is allowed now (canCancel); the page keeps no rule of its own. */
export function canCancel(order: Order): boolean {
  return order.canCancel === true;
}

export interface Explanation {
  title: string;
  text: string;
}

/** Why an order failed, in words for the shopper. declineReason is the payment provider's own sentence, if any. */
export function failureExplanation(reason: string | null | undefined, declineReason?: string | null): Explanation {
  switch (reason) {
    case "PaymentDeclined":
      return {
        title: "Payment declined",
        text: `${declineReason ? declineReason.trim() + " " : "Your card was declined. "}You have not been charged, and the items we had reserved are back in stock.`,
      };
    case "PaymentTimeout":
      return {
        title: "Payment not confirmed in time",
        text: "The payment provider did not answer in time, so the order was stopped and its items went back to stock. If a charge still goes through, it is refunded automatically.",
      };
    case "OutOfStock":
      return {
        title: "Out of stock",
        text: "Some items in your order are no longer in stock, so the order could not be placed. You have not been charged.",
      };
    case "StockCommitFailed":
      return {
        title: "Order could not be completed",
        text: "We could not set aside the items after your payment, so your payment is being refunded in full.",
      };
    default:
      return {
        title: "Order failed",
        text: reason ? `The order could not be completed (${statusLabel(reason)}).` : "The order could not be completed.",
      };
  }
}

export function cancellationExplanation(order: Order): Explanation {
  if (order.status === "Refunded" && order.timeline.some((entry) => entry.status === "ReturnReceived"))
    return { title: "Returned and refunded", text: "We received the items you sent back and your payment has been refunded." };
  if (order.status === "Refunded")
    return { title: "Refunded", text: "The order was cancelled after confirmation and your payment has been refunded." };
  const captured = (order.payment?.captured ?? 0) > 0;
  const refunded = (order.payment?.refunded ?? 0) > 0;
  const money = refunded ? " Your payment has been refunded." : captured ? " Your payment is being refunded." : " You have not been charged.";
  return { title: "Cancelled", text: "The order was cancelled and its items went back to stock." + money };
}
