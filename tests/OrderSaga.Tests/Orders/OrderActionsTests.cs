using Shop.Contracts;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.Projections;
using Shop.OrderSaga.Orders.ViewingOrders;
using Xunit;

namespace Shop.OrderSaga.Tests.Orders;

/// <summary>
/// The order's rules without servers (cancel until shipped, return within the window, ship, goods received): what the
/// endpoints refuse and what the order API offers (the Can* flags) agree.
/// </summary>
public sealed class OrderActionsTests
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
        var refusal = OrderActions.CancelRefusal(status, cancellationRequested: false, refundRequested: false);
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
            OrderActions.CancelRefusal(OrderStatus.Completed, cancellationRequested, refundRequested));
    }

    [Fact]
    public void The_order_view_offers_cancel_exactly_when_the_endpoint_would_accept_it()
    {
        var order = OrderDetails.Create(new OrderPlaced(Id, Guid.NewGuid(), "ada@shop.test", "Ada", [new OrderLine(Guid.NewGuid(), "MUG", "Mug", 10m, 1)],
            10m, "EUR", "pm_card_visa", null, At));
        Assert.True(OrderActions.CanCancel(order));

        order.Apply(new OrderCancellationRequested(Id, Guid.NewGuid(), "CancelledByCustomer", At));
        Assert.False(OrderActions.CanCancel(order));
        Assert.Equal(OrderActions.CancelRefusal(order) is null, Response(order).CanCancel);

        order.Apply(new OrderCancelled(Id, "CancelledByCustomer", At));
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.False(Response(order).CanCancel);
    }

    static readonly TimeSpan Window = TimeSpan.FromDays(14);

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
        Assert.NotNull(OrderActions.ShipRefusal(Placed()));
        var order = Completed();
        Assert.Null(OrderActions.ShipRefusal(order));
        Assert.True(Response(order, isAdmin: true).CanShip);
        Assert.False(Response(order, isAdmin: false).CanShip);

        order.Apply(new OrderCancellationRequested(Id, Guid.NewGuid(), "CancelledByCustomer", At));
        Assert.Equal("The order is being cancelled and cannot be shipped.", OrderActions.ShipRefusal(order));

        // The refund of that cancel failed: the order is a completed order again, which can ship or be cancelled again.
        order.Apply(new OrderRefundFailed(Id, "card_expired", At));
        Assert.Null(OrderActions.ShipRefusal(order));
        Assert.True(OrderActions.CanCancel(order));

        Assert.NotNull(OrderActions.ShipRefusal(Shipped(At)));
    }

    [Fact]
    public void A_shipped_order_cannot_be_cancelled_but_can_be_returned_within_the_window()
    {
        var order = Shipped(At);
        Assert.Equal(OrderStatus.Shipped, order.Status);
        Assert.False(Response(order).CanCancel);
        Assert.Contains("ask for a return", OrderActions.CancelRefusal(order));

        Assert.Null(OrderActions.ReturnRefusal(order, At + Window, Window));
        Assert.True(Response(order, now: At + Window).CanRequestReturn);
        Assert.Equal(At + Window, Response(order).ReturnUntil);

        var late = At + Window + TimeSpan.FromSeconds(1);
        Assert.Contains("return window", OrderActions.ReturnRefusal(order, late, Window));
        Assert.False(Response(order, now: late).CanRequestReturn);
        Assert.False(OrderActions.WithinReturnWindow(At, late, Window));
    }

    [Fact]
    public void An_order_that_has_not_shipped_cannot_be_returned()
    {
        Assert.Contains("only a shipped order", OrderActions.ReturnRefusal(Completed(), At, Window));
        Assert.Contains("only a shipped order", OrderActions.ReturnRefusal(Placed(), At, Window));
    }

    [Fact]
    public void Goods_are_received_once_per_return_and_again_only_to_retry_a_failed_refund()
    {
        var order = Shipped(At);
        Assert.NotNull(OrderActions.ReturnReceivedRefusal(order));

        order.Apply(new OrderReturnRequested(Id, Guid.NewGuid(), "Too small", At));
        Assert.Equal(OrderStatus.ReturnRequested, order.Status);
        Assert.Equal("A return of this order is already under way.", OrderActions.ReturnRefusal(order, At, Window));
        Assert.Null(OrderActions.ReturnReceivedRefusal(order));
        Assert.True(Response(order, isAdmin: true).CanRecordReturnReceived);
        Assert.False(Response(order, isAdmin: false).CanRecordReturnReceived);

        order.Apply(new OrderReturnReceived(Id, Guid.NewGuid(), At));
        order.Apply(new OrderRefundRequested(Id, 10m, RefundReasons.Returned, At));
        Assert.Equal(OrderStatus.ReturnReceived, order.Status);
        Assert.Equal("The returned goods are already recorded and the refund is under way.", OrderActions.ReturnReceivedRefusal(order));

        order.Apply(new OrderRefundFailed(Id, "card_expired", At));
        Assert.Null(OrderActions.ReturnReceivedRefusal(order));

        order.Apply(new OrderRefundRequested(Id, 10m, RefundReasons.Returned, At));
        order.Apply(new OrderRefundIssued(Id, "re_1", 10m, At));
        order.Apply(new OrderRestocked(Id, At));
        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.NotNull(OrderActions.ReturnReceivedRefusal(order));
        Assert.Equal("Restocked", order.Timeline[^1].Status);
    }
}
