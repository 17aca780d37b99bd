using Shop.Contracts;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.Projections;
using Xunit;

namespace Shop.OrderSaga.Tests.Orders;

/// <summary>
/// The status relay folds the order's events through <see cref="Order.After"/> one by one; the order view folds them
/// through its Apply methods (which keep the timeline and payment details too). For every path an order can take, both
/// must arrive at the same statuses in the same order, and the view's timeline names each status it passed.
/// </summary>
public sealed class OrderStatusTests
{
    static readonly Guid Id = Guid.NewGuid();
    static readonly DateTimeOffset At = DateTimeOffset.UtcNow;
    static readonly OrderPlaced Placed = new(Id, Guid.NewGuid(), "ada@shop.test", "Ada", [new OrderLine(Guid.NewGuid(), "MUG", "Mug", 10m, 1)],
        10m, "EUR", "pm_card_visa", null, At);

    public static TheoryData<string, object[]> Paths => new()
    {
        { "completed", [new OrderStockReserved(Id, At), new OrderPaymentCaptured(Id, "pi", "sim", 10m, At), new OrderConfirmed(Id, At),
            new OrderCustomerNotified(Id, "OrderConfirmed", "email", At), new OrderCompleted(Id, At)] },
        { "out of stock", [new OrderFailed(Id, "OutOfStock", null, At)] },
        { "declined", [new OrderStockReserved(Id, At), new OrderFailed(Id, "PaymentDeclined", "no", At)] },
        { "late capture refunded after failing", [new OrderStockReserved(Id, At), new OrderFailed(Id, "PaymentTimeout", null, At),
            new OrderPaymentCaptured(Id, "pi", "sim", 10m, At, Late: true), new OrderRefundRequested(Id, 10m, "late", At),
            new OrderRefundIssued(Id, "re", 10m, At)] },
        { "cancelled before payment", [new OrderCancelled(Id, "CancelledByCustomer", At)] },
        { "refunded after confirmation", [new OrderStockReserved(Id, At), new OrderPaymentCaptured(Id, "pi", "sim", 10m, At),
            new OrderConfirmed(Id, At), new OrderCompleted(Id, At), new OrderCancellationRequested(Id, Guid.NewGuid(), "changed my mind", At),
            new OrderRefundRequested(Id, 10m, "cancelled", At), new OrderRefundIssued(Id, "re", 10m, At)] },
        { "refund failed", [new OrderStockReserved(Id, At), new OrderPaymentCaptured(Id, "pi", "sim", 10m, At), new OrderConfirmed(Id, At),
            new OrderRefundRequested(Id, 10m, "cancelled", At), new OrderRefundFailed(Id, "provider down", At),
            new OrderCustomerNotificationFailed(Id, "OrderConfirmed", "email", "SMTP down", At)] },
        { "refunded and restocked before shipping", [new OrderStockReserved(Id, At), new OrderPaymentCaptured(Id, "pi", "sim", 10m, At),
            new OrderConfirmed(Id, At), new OrderCancellationRequested(Id, Guid.NewGuid(), "changed my mind", At),
            new OrderRefundRequested(Id, 10m, "cancelled", At), new OrderRefundIssued(Id, "re", 10m, At), new OrderRestocked(Id, At)] },
        { "shipped, returned, refunded, restocked", [new OrderStockReserved(Id, At), new OrderPaymentCaptured(Id, "pi", "sim", 10m, At),
            new OrderConfirmed(Id, At), new OrderCompleted(Id, At), new OrderShipped(Id, Guid.NewGuid(), "TRACK", At),
            new OrderReturnRequested(Id, Guid.NewGuid(), "too small", At), new OrderReturnReceived(Id, Guid.NewGuid(), At),
            new OrderRefundRequested(Id, 10m, "Returned", At), new OrderRefundFailed(Id, "provider down", At),
            new OrderRefundRequested(Id, 10m, "Returned", At),
            new OrderRefundIssued(Id, "re", 10m, At), new OrderRestocked(Id, At)] },
        { "restock refused", [new OrderStockReserved(Id, At), new OrderPaymentCaptured(Id, "pi", "sim", 10m, At), new OrderConfirmed(Id, At),
            new OrderShipped(Id, Guid.NewGuid(), null, At), new OrderReturnRequested(Id, Guid.NewGuid(), "broken", At),
            new OrderReturnReceived(Id, Guid.NewGuid(), At), new OrderRefundIssued(Id, "re", 10m, At), new OrderRestockFailed(Id, "NoReservation", At)] },
        { "stock commit failed after shipping", [new OrderStockReserved(Id, At), new OrderPaymentCaptured(Id, "pi", "sim", 10m, At),
            new OrderConfirmed(Id, At), new OrderCompleted(Id, At), new OrderShipped(Id, Guid.NewGuid(), null, At),
            new OrderStockCommitFailedAfterShipping(Id, "ReservationExpired", At)] },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void The_relay_and_the_order_view_see_the_same_statuses(string path, object[] events)
    {
        var view = OrderDetails.Create(Placed);
        var viewStatuses = new List<string> { view.Status };
        var order = Order.After(Order.Unknown(Id), Placed);
        var relayed = new List<string> { order.Status };
        foreach (var e in events)
        {
            Apply(view, e);
            if (view.Status != viewStatuses[^1])
                viewStatuses.Add(view.Status);
            var next = Order.After(order, e);
            if (next.Status != order.Status)
                relayed.Add(next.Status);
            order = next;
        }
        Assert.True(viewStatuses.SequenceEqual(relayed), $"{path}: view {string.Join(">", viewStatuses)}, relay {string.Join(">", relayed)}");
        Assert.Equal(order, view.State);
        Assert.True(viewStatuses.SequenceEqual(view.Timeline.Select(t => t.Status).Where(OrderStatus.All.Contains)),
            $"{path}: timeline {string.Join(">", view.Timeline.Select(t => t.Status))}");
    }

    static void Apply(OrderDetails view, object e)
    {
        switch (e)
        {
            case OrderStockReserved x: view.Apply(x); break;
            case OrderPaymentCaptured x: view.Apply(x); break;
            case OrderConfirmed x: view.Apply(x); break;
            case OrderCustomerNotified x: view.Apply(x); break;
            case OrderCustomerNotificationFailed x: view.Apply(x); break;
            case OrderCompleted x: view.Apply(x); break;
            case OrderFailed x: view.Apply(x); break;
            case OrderCancellationRequested x: view.Apply(x); break;
            case OrderCancelled x: view.Apply(x); break;
            case OrderRefundRequested x: view.Apply(x); break;
            case OrderRefundIssued x: view.Apply(x); break;
            case OrderRefundFailed x: view.Apply(x); break;
            case OrderShipped x: view.Apply(x); break;
            case OrderReturnRequested x: view.Apply(x); break;
            case OrderReturnReceived x: view.Apply(x); break;
            case OrderRestocked x: view.Apply(x); break;
            case OrderRestockFailed x: view.Apply(x); break;
            case OrderStockCommitFailedAfterShipping x: view.Apply(x); break;
            default: throw new ArgumentException($"No Apply for {e.GetType().Name}");
        }
    }
}
