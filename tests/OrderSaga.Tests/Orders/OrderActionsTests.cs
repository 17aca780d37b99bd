using Shop.Contracts;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.Projections;
using Shop.OrderSaga.Orders.ViewingOrders;
using Xunit;

namespace Shop.OrderSaga.Tests.Orders;

/// <summary>The cancel rule without servers: what the endpoint refuses and what the order API offers (canCancel) agree.</summary>
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
    public void An_order_may_be_cancelled_until_it_is_closed(string status, bool allowed)
    {
        var refusal = OrderActions.CancelRefusal(status, cancellationRequested: false, refundRequested: false);
        Assert.Equal(allowed, refusal is null);
        if (!allowed)
            Assert.Contains(status, refusal);
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
        Assert.Equal(OrderActions.CancelRefusal(order) is null, OrderResponse.From(order).CanCancel);

        order.Apply(new OrderCancelled(Id, "CancelledByCustomer", At));
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.False(OrderResponse.From(order).CanCancel);
    }
}
