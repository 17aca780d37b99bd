using Shop.Contracts.Inventory;
using Shop.Contracts.Notifications;
using Contract = Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.OrderSaga.Orders;
using Xunit;
using OrderEvents = Shop.OrderSaga.Orders;

namespace Shop.OrderSaga.Tests.Checkout;

public sealed class CheckoutSagaTests : IAsyncLifetime
{
    readonly CheckoutSagaHarness _saga = new();
    readonly Guid _orderId = Guid.NewGuid();

    public Task InitializeAsync() => _saga.InitializeAsync();
    public Task DisposeAsync() => _saga.DisposeAsync();

    [Fact]
    public async Task Happy_path_reserves_charges_confirms_notifies_and_completes()
    {
        await _saga.Harness.Bus.Publish(CheckoutSagaHarness.Checkout(_orderId));
        var reserve = await _saga.Sent<ReserveStock>(_orderId);
        Assert.Equal(2, reserve.Lines.Count);
        await _saga.InState(_orderId, m => m.AwaitingStock);

        await _saga.Harness.Bus.Publish(new StockReserved(_orderId, DateTimeOffset.UtcNow.AddMinutes(15)));
        var charge = await _saga.Sent<ChargePayment>(_orderId);
        Assert.Equal(55m, charge.Amount);
        Assert.Equal("pm_card_visa", charge.PaymentMethod);
        await _saga.InState(_orderId, m => m.AwaitingPayment);

        await _saga.Harness.Bus.Publish(new PaymentCaptured(_orderId, "pi_1", "simulated", 55m, "EUR"));
        await _saga.Sent<CommitStock>(_orderId);
        await _saga.InState(_orderId, m => m.Confirming);

        await _saga.Harness.Bus.Publish(new StockCommitted(_orderId));
        var confirmed = await _saga.Published<Contract.OrderConfirmed>(_orderId);
        Assert.Equal("ada@shop.test", confirmed.Order.CustomerEmail);
        await _saga.InState(_orderId, m => m.Confirmed);

        await _saga.Harness.Bus.Publish(new CustomerNotified(_orderId, nameof(Contract.OrderConfirmed), "email", DateTimeOffset.UtcNow));
        var state = await _saga.InState(_orderId, m => m.Completed);
        await _saga.Published<Contract.OrderCompleted>(_orderId);

        // The order's history, as the Marten repository would append it to the order stream.
        Assert.Equal(
            [typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderEvents.OrderConfirmed),
             typeof(OrderCustomerNotified), typeof(OrderEvents.OrderCompleted)],
            state.PendingEvents.Select(e => e.GetType()));
    }

    [Fact]
    public async Task Out_of_stock_fails_the_order_without_charging()
    {
        await _saga.Harness.Bus.Publish(CheckoutSagaHarness.Checkout(_orderId));
        await _saga.InState(_orderId, m => m.AwaitingStock);

        await _saga.Harness.Bus.Publish(new StockReservationFailed(_orderId, "OutOfStock", [Guid.NewGuid()]));
        var state = await _saga.InState(_orderId, m => m.Failed);
        var failed = await _saga.Published<Contract.OrderFailed>(_orderId);

        Assert.Equal(FailureReasons.OutOfStock, failed.Reason);
        Assert.Equal(FailureReasons.OutOfStock, state.FailureReason);
        Assert.Equal(0, _saga.SentCount<ChargePayment>(_orderId));
        Assert.Equal(0, _saga.SentCount<ReleaseStock>(_orderId));
    }

    [Fact]
    public async Task Declined_payment_releases_the_stock_and_fails_the_order()
    {
        await _saga.Harness.Bus.Publish(CheckoutSagaHarness.Checkout(_orderId, "pm_card_chargeDeclined"));
        await _saga.Harness.Bus.Publish(new StockReserved(_orderId, DateTimeOffset.UtcNow.AddMinutes(15)));
        await _saga.InState(_orderId, m => m.AwaitingPayment);

        await _saga.Harness.Bus.Publish(new PaymentFailed(_orderId, "Your card was declined.", "generic_decline"));
        var state = await _saga.InState(_orderId, m => m.Failed);

        var release = await _saga.Sent<ReleaseStock>(_orderId);
        Assert.Equal(FailureReasons.PaymentDeclined, release.Reason);
        var failed = await _saga.Published<Contract.OrderFailed>(_orderId);
        Assert.Equal(FailureReasons.PaymentDeclined, failed.Reason);
        Assert.Equal(0, _saga.SentCount<CommitStock>(_orderId));
        Assert.Contains(state.PendingEvents, e => e is OrderEvents.OrderFailed { Reason: FailureReasons.PaymentDeclined });
    }

    [Fact]
    public async Task Failed_stock_commit_refunds_and_releases()
    {
        await _saga.Harness.Bus.Publish(CheckoutSagaHarness.Checkout(_orderId));
        await _saga.Harness.Bus.Publish(new StockReserved(_orderId, DateTimeOffset.UtcNow.AddMinutes(15)));
        await _saga.InState(_orderId, m => m.AwaitingPayment);
        await _saga.Harness.Bus.Publish(new PaymentCaptured(_orderId, "pi_2", "simulated", 55m, "EUR"));
        await _saga.InState(_orderId, m => m.Confirming);

        await _saga.Harness.Bus.Publish(new StockCommitFailed(_orderId, "ReservationExpired"));
        await _saga.InState(_orderId, m => m.Failed);

        var refund = await _saga.Sent<RefundPayment>(_orderId);
        Assert.Equal(55m, refund.Amount);
        await _saga.Sent<ReleaseStock>(_orderId);
        Assert.Empty(_saga.Harness.Published.Select<Contract.OrderConfirmed>());
    }

    [Fact]
    public async Task Cancelling_before_payment_releases_the_stock()
    {
        await _saga.Harness.Bus.Publish(CheckoutSagaHarness.Checkout(_orderId));
        await _saga.InState(_orderId, m => m.AwaitingStock);

        await _saga.Harness.Bus.Publish(new Contract.CancelOrder(_orderId, Guid.NewGuid(), "CancelledByCustomer"));
        await _saga.InState(_orderId, m => m.Cancelled);
        await _saga.Sent<ReleaseStock>(_orderId);
        await _saga.Published<Contract.OrderCancelled>(_orderId);
    }

    [Fact]
    public async Task A_duplicate_stock_reservation_charges_only_once()
    {
        await _saga.Harness.Bus.Publish(CheckoutSagaHarness.Checkout(_orderId));
        await _saga.Harness.Bus.Publish(new StockReserved(_orderId, DateTimeOffset.UtcNow.AddMinutes(15)));
        await _saga.InState(_orderId, m => m.AwaitingPayment);

        await _saga.Harness.Bus.Publish(new StockReserved(_orderId, DateTimeOffset.UtcNow.AddMinutes(15)));
        Assert.True(await _saga.Harness.Consumed.Any<StockReserved>(m => m.Context.Message.OrderId == _orderId));
        await _saga.Harness.InactivityTask;

        Assert.Equal(1, _saga.SentCount<ChargePayment>(_orderId));
        await _saga.InState(_orderId, m => m.AwaitingPayment);
    }
}
