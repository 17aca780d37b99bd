using Shop.Contracts;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.Projections;
using Shop.OrderSaga.Orders.ViewingOrders;
using Xunit;
using CancelOrder = Shop.Contracts.Orders.CancelOrder;
using RecordReturnReceived = Shop.Contracts.Orders.RecordReturnReceived;
using RequestReturn = Shop.Contracts.Orders.RequestReturn;
using ShipOrder = Shop.Contracts.Orders.ShipOrder;

namespace Shop.OrderSaga.Tests.Orders;

/// <summary>
/// The order's rules (<see cref="Order"/>) without servers: cancel until shipped, return within the window, ship, goods
/// received; what the endpoints refuse and what the order API offers (the Can* flags) agree, and what each accepted
/// request decides (the events the saga records).
/// </summary>
public sealed class OrderRulesTests
{
    static readonly Guid Id = Guid.NewGuid();
    static readonly DateTimeOffset At = DateTimeOffset.UtcNow;

    [Theory]
    [InlineData(OrderStatus.Placed, true)]
    [InlineData(OrderStatus.StockReserved, true)]
    [InlineData(OrderStatus.PaymentCaptured, true)]
    [InlineData(OrderStatus.Confirmed, true)]
    [InlineData(OrderStatus.Completed, true)]
    [InlineData(OrderStatus.Failed, false)]
    [InlineData(OrderStatus.Cancelled, false)]
    [InlineData(OrderStatus.Refunded, false)]
    [InlineData(OrderStatus.Shipped, false)]
    [InlineData(OrderStatus.ReturnRequested, false)]
    [InlineData(OrderStatus.ReturnReceived, false)]
    public void An_order_may_be_cancelled_until_it_ships_or_closes(string status, bool allowed)
    {
        var refusal = Order.CancelRefusal(Order.Unknown(Id) with { Status = status });
        Assert.Equal(allowed, refusal is null);
        if (!allowed)
            Assert.True(refusal!.Contains(status) || refusal.Contains("ask for a return"), refusal);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_second_cancellation_is_refused_while_one_is_under_way(bool cancellationRequested, bool refundRequested)
    {
        Assert.Equal("A cancellation of this order is already under way.",
            Order.CancelRefusal(Order.Unknown(Id) with { Status = OrderStatus.Completed, CancellationRequested = cancellationRequested, RefundRequested = refundRequested }));
    }

    [Fact]
    public void The_order_view_offers_cancel_exactly_when_the_endpoint_would_accept_it()
    {
        var order = OrderDetails.Create(new OrderPlaced(Id, Guid.NewGuid(), "ada@shop.test", "Ada", [new OrderLine(Guid.NewGuid(), "MUG", "Mug", 10m, 1)],
            10m, "EUR", "pm_card_visa", null, At));
        Assert.True(CanCancel(order));

        order.Apply(new OrderCancellationRequested(Id, Guid.NewGuid(), "CancelledByCustomer", At));
        Assert.False(CanCancel(order));
        Assert.Equal(Order.CancelRefusal(order.State) is null, Response(order).CanCancel);

        order.Apply(new OrderCancelled(Id, "CancelledByCustomer", At));
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.False(Response(order).CanCancel);
    }

    static readonly TimeSpan Window = TimeSpan.FromDays(14);

    static bool CanCancel(OrderDetails order) => Order.CancelRefusal(order.State) is null;

    static OrderDetails Placed() => OrderDetails.Create(new OrderPlaced(Id, Guid.NewGuid(), "ada@shop.test", "Ada",
        [new OrderLine(Guid.NewGuid(), "MUG", "Mug", 10m, 1)], 10m, "EUR", "pm_card_visa", null, At));

    static OrderResponse Response(OrderDetails order, bool isAdmin = false, DateTimeOffset? now = null) =>
        OrderResponse.From(order, isAdmin, now ?? At, Window);

    static OrderDetails Completed()
    {
        var order = Placed();
        order.Apply(new OrderStockReserved(Id, At));
        order.Apply(new OrderPaymentCaptured(Id, "pi_1", "simulated", 10m, At));
        order.Apply(new OrderConfirmed(Id, At));
        order.Apply(new OrderCompleted(Id, At));
        return order;
    }

    static OrderDetails Shipped(DateTimeOffset at)
    {
        var order = Completed();
        order.Apply(new OrderShipped(Id, Guid.NewGuid(), "TRACK-1", at));
        return order;
    }

    [Fact]
    public void Only_a_confirmed_order_that_nobody_cancels_can_ship_and_only_admins_are_offered_it()
    {
        Assert.NotNull(Order.ShipRefusal(Placed().State));
        var order = Completed();
        Assert.Null(Order.ShipRefusal(order.State));
        Assert.True(Response(order, isAdmin: true).CanShip);
        Assert.False(Response(order, isAdmin: false).CanShip);

        order.Apply(new OrderCancellationRequested(Id, Guid.NewGuid(), "CancelledByCustomer", At));
        Assert.Equal("The order is being cancelled and cannot be shipped.", Order.ShipRefusal(order.State));

        // The refund of that cancel failed: the order is a completed order again, which can ship or be cancelled again.
        order.Apply(new OrderRefundFailed(Id, "card_expired", At));
        Assert.Null(Order.ShipRefusal(order.State));
        Assert.True(CanCancel(order));

        Assert.NotNull(Order.ShipRefusal(Shipped(At).State));
    }

    [Fact]
    public void A_shipped_order_cannot_be_cancelled_but_can_be_returned_within_the_window()
    {
        var order = Shipped(At);
        Assert.Equal(OrderStatus.Shipped, order.Status);
        Assert.False(Response(order).CanCancel);
        Assert.Contains("ask for a return", Order.CancelRefusal(order.State));

        Assert.Null(Order.ReturnRefusal(order.State, At + Window, Window));
        Assert.True(Response(order, now: At + Window).CanRequestReturn);
        Assert.Equal(At + Window, Response(order).ReturnUntil);

        var late = At + Window + TimeSpan.FromSeconds(1);
        Assert.Contains("return window", Order.ReturnRefusal(order.State, late, Window));
        Assert.False(Response(order, now: late).CanRequestReturn);
    }

    [Fact]
    public void An_order_that_has_not_shipped_cannot_be_returned()
    {
        Assert.Contains("only a shipped order", Order.ReturnRefusal(Completed().State, At, Window));
        Assert.Contains("only a shipped order", Order.ReturnRefusal(Placed().State, At, Window));
    }

    [Fact]
    public void Goods_are_received_once_per_return_and_again_only_to_retry_a_failed_refund()
    {
        var order = Shipped(At);
        Assert.NotNull(Order.ReturnReceivedRefusal(order.State));

        order.Apply(new OrderReturnRequested(Id, Guid.NewGuid(), "Too small", At));
        Assert.Equal(OrderStatus.ReturnRequested, order.Status);
        Assert.Equal("A return of this order is already under way.", Order.ReturnRefusal(order.State, At, Window));
        Assert.Null(Order.ReturnReceivedRefusal(order.State));
        Assert.True(Response(order, isAdmin: true).CanRecordReturnReceived);
        Assert.False(Response(order, isAdmin: false).CanRecordReturnReceived);

        order.Apply(new OrderReturnReceived(Id, Guid.NewGuid(), At));
        order.Apply(new OrderRefundRequested(Id, 10m, RefundReasons.Returned, At));
        Assert.Equal(OrderStatus.ReturnReceived, order.Status);
        Assert.Equal("The returned goods are already recorded and the refund is under way.", Order.ReturnReceivedRefusal(order.State));

        order.Apply(new OrderRefundFailed(Id, "card_expired", At));
        Assert.Null(Order.ReturnReceivedRefusal(order.State));

        order.Apply(new OrderRefundRequested(Id, 10m, RefundReasons.Returned, At));
        order.Apply(new OrderRefundIssued(Id, "re_1", 10m, At));
        order.Apply(new OrderRestocked(Id, At));
        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.NotNull(Order.ReturnReceivedRefusal(order.State));
        Assert.Equal("Restocked", order.Timeline[^1].Status);
    }

    static readonly Guid Person = Guid.NewGuid();

    static Type[] Kinds(OrderDecision decision) => decision.Events.Select(e => e.GetType()).ToArray();

    static Order Folded(params object[] events) => events.Aggregate(Order.Unknown(Id), Order.After);

    static Order ConfirmedOrder() => Folded(new OrderPlaced(Id, Guid.NewGuid(), "ada@shop.test", "Ada", [new OrderLine(Guid.NewGuid(), "MUG", "Mug", 10m, 1)],
        10m, "EUR", "pm_card_visa", null, At), new OrderStockReserved(Id, At), new OrderPaymentCaptured(Id, "pi_1", "simulated", 10m, At),
        new OrderConfirmed(Id, At));

    [Fact]
    public void A_cancel_before_payment_cancels_at_once_during_the_commit_waits_for_it_and_after_confirmation_refunds()
    {
        var cancel = new CancelOrder(Id, Person, "CancelledByCustomer");
        var placed = Folded(new OrderPlaced(Id, Guid.NewGuid(), "ada@shop.test", "Ada", [], 10m, "EUR", "pm_card_visa", null, At));
        Assert.Equal<Type>([typeof(OrderCancelled)], Kinds(Order.Decide(placed, cancel, At)));
        var reserved = Order.After(placed, new OrderStockReserved(Id, At));
        Assert.Equal<Type>([typeof(OrderCancelled)], Kinds(Order.Decide(reserved, cancel, At)));
        Assert.Equal(OrderStatus.Cancelled, Order.Decide(reserved, cancel, At).Events.Aggregate(reserved, Order.After).Status);

        var captured = Order.After(reserved, new OrderPaymentCaptured(Id, "pi_1", "simulated", 10m, At));
        var duringCommit = Order.Decide(captured, cancel, At);
        Assert.Equal<Type>([typeof(OrderCancellationRequested)], Kinds(duringCommit));
        var waiting = duringCommit.Events.Aggregate(captured, Order.After);
        Assert.True(waiting.CancellationRequested);
        Assert.Equal(OrderStatus.PaymentCaptured, waiting.Status);
        var again = Order.Decide(waiting, cancel, At);
        Assert.Equal("A cancellation of this order is already under way.", again.Refusal);
        Assert.Empty(again.Events);

        var afterConfirmation = Order.Decide(ConfirmedOrder(), cancel, At);
        Assert.Equal<Type>([typeof(OrderCancellationRequested), typeof(OrderRefundRequested)], Kinds(afterConfirmation));
        var refund = (OrderRefundRequested)afterConfirmation.Events[1];
        Assert.Equal((10m, RefundReasons.CancelledAfterConfirmation), (refund.Amount, refund.Reason));
    }

    [Fact]
    public void Shipping_returning_and_receiving_decide_the_events_the_saga_records()
    {
        var ship = Order.Decide(ConfirmedOrder(), new ShipOrder(Id, Person, "TRACK-1"), At);
        var shippedEvent = Assert.IsType<OrderShipped>(Assert.Single(ship.Events));
        Assert.Equal("TRACK-1", shippedEvent.TrackingReference);
        var order = Order.After(ConfirmedOrder(), shippedEvent);
        Assert.Equal((OrderStatus.Shipped, (DateTimeOffset?)At), (order.Status, order.ShippedAt));
        Assert.False(Order.Decide(order, new ShipOrder(Id, Person, null), At).Accepted);
        Assert.False(Order.Decide(order, new CancelOrder(Id, Person, "CancelledByCustomer"), At).Accepted);

        var tooLate = Order.Decide(order, new RequestReturn(Id, Person, "Too small"), At + Window + TimeSpan.FromSeconds(1), Window);
        Assert.Contains("return window", tooLate.Refusal);
        Assert.Empty(tooLate.Events);
        var returned = Order.Decide(order, new RequestReturn(Id, Person, "Too small"), At + Window, Window);
        order = Order.After(order, Assert.IsType<OrderReturnRequested>(Assert.Single(returned.Events)));
        Assert.Equal(OrderStatus.ReturnRequested, order.Status);

        var received = Order.Decide(order, new RecordReturnReceived(Id, Person), At);
        Assert.Equal<Type>([typeof(OrderReturnReceived), typeof(OrderRefundRequested)], Kinds(received));
        order = received.Events.Aggregate(order, Order.After);
        Assert.Equal((OrderStatus.ReturnReceived, (DateTimeOffset?)At, true), (order.Status, order.ReturnReceivedAt, order.RefundRequested));
        Assert.False(Order.Decide(order, new RecordReturnReceived(Id, Person), At).Accepted);

        // The refund failed: receiving again only asks for the refund again.
        order = Order.After(order, new OrderRefundFailed(Id, "card_expired", At));
        var retry = Order.Decide(order, new RecordReturnReceived(Id, Person), At);
        Assert.Equal(RefundReasons.Returned, Assert.IsType<OrderRefundRequested>(Assert.Single(retry.Events)).Reason);
        order = retry.Events.Append(new OrderRefundIssued(Id, "re_1", 10m, At)).Aggregate(order, Order.After);
        Assert.Equal(OrderStatus.Refunded, order.Status);
    }

    [Fact]
    public void A_capture_after_the_order_closed_is_what_its_refund_gives_back_but_moves_no_status()
    {
        var failed = Folded(new OrderPlaced(Id, Guid.NewGuid(), "ada@shop.test", "Ada", [], 10m, "EUR", "pm_card_visa", null, At),
            new OrderStockReserved(Id, At), new OrderFailed(Id, FailureReasons.PaymentTimeout, null, At));
        var late = Order.After(failed, new OrderPaymentCaptured(Id, "pi_1", "simulated", 10m, At, Late: true));
        Assert.Equal((OrderStatus.Failed, 10m), (late.Status, late.Captured));
        // A refund compensating a failure keeps the order Failed.
        Assert.Equal(OrderStatus.Failed, Order.After(late, new OrderRefundIssued(Id, "re_1", 10m, At)).Status);
        Assert.Contains("can no longer be cancelled", Order.CancelRefusal(late));
    }
}
