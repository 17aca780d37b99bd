import { describe, expect, it } from "vitest";
import type { Order } from "../api/types";
import { canCancel, canRequestReturn, cancellationExplanation, failureExplanation, isSettled, statusLabel } from "./orderStatus";

const order = (status: string, timeline: string[] = [], extra: Partial<Order> = {}): Order => ({
  orderId: "0193a5f2-0000-7000-8000-000000000000",
  status,
  lines: [],
  total: 10,
  currency: "EUR",
  timeline: timeline.map((s) => ({ status: s, at: "2026-01-01T00:00:00Z" })),
  canCancel: false,
  ...extra,
});

describe("order status", () => {
  it("keeps polling until the order can no longer change by itself", () => {
    expect(isSettled(order("Placed"))).toBe(false);
    expect(isSettled(order("PaymentCaptured"))).toBe(false);
    expect(isSettled(order("Completed"))).toBe(true);
    expect(isSettled(order("Failed"))).toBe(true);
    // A cancel of a completed order ends in Refunded: keep watching until then.
    expect(isSettled(order("Completed", ["Completed", "CancellationRequested"]))).toBe(false);
    expect(isSettled(order("Refunded", ["CancellationRequested", "RefundRequested"]))).toBe(true);
    // A refund that failed leaves the order Completed: nothing more comes.
    expect(isSettled(order("Completed", ["Completed", "CancellationRequested", "RefundRequested", "RefundFailed"]))).toBe(true);
  });

  it("offers cancel exactly when the order service says it may be cancelled, whatever the status looks like", () => {
    expect(canCancel(order("StockReserved", [], { canCancel: true }))).toBe(true);
    expect(canCancel(order("StockReserved", [], { canCancel: false }))).toBe(false);
    expect(canCancel(order("Completed", ["CancellationRequested"], { canCancel: false }))).toBe(false);
  });

  it("stops polling while the order waits for a person (shipping, returned goods) and follows the refund of a return", () => {
    expect(isSettled(order("Shipped", ["Completed", "Shipped"]))).toBe(true);
    expect(isSettled(order("ReturnRequested", ["Shipped", "ReturnRequested"]))).toBe(true);
    expect(isSettled(order("ReturnReceived", ["ReturnRequested", "ReturnReceived", "RefundRequested"]))).toBe(false);
  });

  it("offers a return exactly when the order service says so", () => {
    expect(canRequestReturn(order("Shipped", [], { canRequestReturn: true }))).toBe(true);
    expect(canRequestReturn(order("Shipped", [], { canRequestReturn: false }))).toBe(false);
    expect(canRequestReturn(order("Shipped"))).toBe(false);
  });

  it("tells a returned order's refund apart from a cancelled one's", () => {
    expect(cancellationExplanation(order("Refunded", ["Shipped", "ReturnRequested", "ReturnReceived", "Refunded"])).title).toBe("Returned and refunded");
    expect(cancellationExplanation(order("Refunded", ["Completed", "CancellationRequested", "Refunded"])).title).toBe("Refunded");
    expect(statusLabel("ReturnRequested")).toBe("Return requested");
  });

  it("explains a declined payment with the provider's words and what happened to the stock", () => {
    const explanation = failureExplanation("PaymentDeclined", "Your card has insufficient funds.");
    expect(explanation.title).toBe("Payment declined");
    expect(explanation.text).toBe("Your card has insufficient funds. You have not been charged, and the items we had reserved are back in stock.");
    expect(failureExplanation("OutOfStock").title).toBe("Out of stock");
    expect(failureExplanation("SomethingNew").text).toContain("Something New");
  });

  it("labels statuses for people, including ones it does not know yet", () => {
    expect(statusLabel("StockReserved")).toBe("Stock reserved");
    expect(statusLabel("CustomerNotified")).toBe("Customer notified");
    expect(statusLabel("ShippedToCustomer")).toBe("Shipped To Customer");
  });
});
