using Shop.Contracts.Inventory;
using Shop.Contracts.Payments;
using Shop.OrderSaga.Orders;
using Xunit;
using Contract = Shop.Contracts.Orders;

namespace Shop.OrderSaga.Tests.Checkout;

/// <summary>
/// Every path of a checkout, as readable scenarios: the customer and the other services say something (When...),
/// the saga answers (Should...). Each spec is a template for the next one.
/// </summary>
public sealed class CheckoutSagaSpecs
{
    [Fact]
    public async Task Happy_path_reserves_charges_confirms_notifies_and_completes()
    {
        await using var order = await CheckoutScenario.Start();

        await order.CustomerChecksOut();
        var reserve = await order.ShouldHaveSent<ReserveStock>();
        Assert.Equal(2, reserve.Lines.Count);
        await order.ShouldBeIn(s => s.AwaitingStock);

        await order.InventoryReservesStock();
        var charge = await order.ShouldHaveSent<ChargePayment>();
        Assert.Equal(CheckoutScenario.Total, charge.Amount);
        await order.ShouldBeIn(s => s.AwaitingPayment);

        await order.PaymentIsCaptured();
        var confirmed = await order.ShouldHavePublished<Contract.OrderConfirmed>();
        Assert.Equal("ada@shop.test", confirmed.Order.CustomerEmail);
        await order.ShouldBeIn(s => s.Confirmed);
        // The reservation becomes the sale without a round trip: inventory answers only if it cannot commit.
        Assert.False((await order.ShouldHaveSent<CommitStock>()).ReplyWhenCommitted);

        await order.CustomerIsNotified();
        await order.ShouldBeIn(s => s.Completed);
        await order.ShouldHavePublished<Contract.OrderCompleted>();
        order.ShouldNotHaveSent<ReleaseStock>();
        order.ShouldNotHaveSent<RefundPayment>();
        order.ShouldHaveRecorded(typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderConfirmed),
            typeof(OrderCustomerNotified), typeof(OrderCompleted));
    }

    [Fact]
    public async Task Out_of_stock_fails_the_order_without_charging()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();

        await order.InventoryIsOutOfStock();

        var state = await order.ShouldBeIn(s => s.Failed);
        Assert.Equal(FailureReasons.OutOfStock, state.FailureReason);
        var failed = await order.ShouldHavePublished<Contract.OrderFailed>();
        Assert.Equal(FailureReasons.OutOfStock, failed.Reason);
        order.ShouldNotHaveSent<ChargePayment>();
        order.ShouldNotHaveSent<ReleaseStock>();
    }

    [Fact]
    public async Task Declined_payment_releases_the_stock_and_fails_the_order()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut("pm_card_chargeDeclined");
        await order.InventoryReservesStock();

        await order.PaymentIsDeclined();

        var state = await order.ShouldBeIn(s => s.Failed);
        Assert.Equal(FailureReasons.PaymentDeclined, state.FailureReason);
        Assert.Equal(FailureReasons.PaymentDeclined, (await order.ShouldHaveSent<ReleaseStock>()).Reason);
        await order.ShouldHavePublished<Contract.OrderFailed>();
        order.ShouldNotHaveSent<CommitStock>();
        order.ShouldHaveRecorded(typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderFailed));
    }

    [Fact]
    public async Task Unanswered_payment_times_out_releases_the_stock_and_refunds_a_late_capture_once()
    {
        await using var order = await CheckoutScenario.Start(paymentTimeout: TimeSpan.FromSeconds(1));
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();

        await order.PaymentTimeoutElapses();

        var state = await order.ShouldBeIn(s => s.Failed);
        Assert.Equal(FailureReasons.PaymentTimeout, state.FailureReason);
        Assert.Equal(FailureReasons.PaymentTimeout, (await order.ShouldHaveSent<ReleaseStock>()).Reason);
        await order.ShouldHavePublished<Contract.OrderFailed>();

        // The provider answers after all: the money goes back, once, however often the capture is repeated.
        await order.PaymentIsCaptured();
        await order.PaymentIsCaptured();
        var refund = await order.ShouldHaveSent<RefundPayment>();
        Assert.Equal(CheckoutScenario.Total, refund.Amount);
        await order.PaymentIsRefunded();
        await order.ShouldBeIn(s => s.Failed);
        order.ShouldNotHaveSent<CommitStock>();
        order.ShouldHaveRecorded(typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderFailed), typeof(OrderPaymentCaptured),
            typeof(OrderRefundRequested), typeof(OrderRefundIssued));
    }

    [Fact]
    public async Task A_timely_capture_makes_the_payment_timeout_stale()
    {
        await using var order = await CheckoutScenario.Start(paymentTimeout: TimeSpan.FromSeconds(1));
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();
        await order.PaymentIsCaptured();

        // The in-memory scheduler cannot cancel, so the old timeout still arrives: its token is stale and it is ignored.
        await order.PaymentTimeoutElapses();

        await order.ShouldBeIn(s => s.Confirmed);
        order.ShouldNotHaveSent<ReleaseStock>();
        order.ShouldNotHavePublished<Contract.OrderFailed>();
    }

    [Fact]
    public async Task A_reservation_expiring_before_the_payment_answers_fails_the_order_and_a_late_capture_is_refunded()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();

        await order.InventoryExpiresTheReservation();

        var state = await order.ShouldBeIn(s => s.Failed);
        Assert.Equal(FailureReasons.ReservationExpired, state.FailureReason);
        await order.ShouldHavePublished<Contract.OrderFailed>();
        order.ShouldNotHaveSent<ReleaseStock>(); // InventoryService already freed the units

        await order.PaymentIsCaptured();
        await order.ShouldHaveSent<RefundPayment>();
        order.ShouldNotHaveSent<CommitStock>();
    }

    [Fact]
    public async Task A_stock_commit_that_fails_after_confirmation_refunds_and_fails_the_order()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();
        await order.PaymentIsCaptured();
        await order.ShouldBeIn(s => s.Confirmed);

        // The reservation expired before the commit arrived, and the units were sold to someone else meanwhile.
        await order.InventoryFailsToCommit("ReservationExpired");

        var state = await order.ShouldBeIn(s => s.Failed);
        Assert.Equal(FailureReasons.StockCommitFailed, state.FailureReason);
        Assert.Equal(CheckoutScenario.Total, (await order.ShouldHaveSent<RefundPayment>()).Amount);
        await order.ShouldHavePublished<Contract.OrderFailed>();
        order.ShouldNotHaveSent<ReleaseStock>(); // nothing is held any more

        await order.PaymentIsRefunded();
        await order.ShouldBeIn(s => s.Failed);
        order.ShouldNotHaveSent<RestockOrder>();
        order.ShouldHaveRecorded(typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderConfirmed),
            typeof(OrderFailed), typeof(OrderRefundRequested), typeof(OrderRefundIssued));
    }

    [Fact]
    public async Task Cancel_before_the_stock_is_reserved_releases_and_a_late_reservation_changes_nothing()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();

        await order.CustomerCancels();
        await order.ShouldBeIn(s => s.Cancelled);
        await order.ShouldHaveSent<ReleaseStock>();
        await order.ShouldHavePublished<Contract.OrderCancelled>();

        await order.InventoryReservesStock();
        await order.ShouldBeIn(s => s.Cancelled);
        order.ShouldNotHaveSent<ChargePayment>();
    }

    [Fact]
    public async Task Cancel_while_the_payment_is_pending_releases_and_refunds_the_capture_that_follows()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();

        await order.CustomerCancels();
        await order.ShouldBeIn(s => s.Cancelled);
        await order.ShouldHaveSent<ReleaseStock>();

        await order.PaymentIsCaptured();
        await order.ShouldHaveSent<RefundPayment>();
        await order.PaymentIsRefunded();
        await order.ShouldBeIn(s => s.Cancelled);
        order.ShouldNotHaveSent<CommitStock>();
    }

    [Fact]
    public async Task Cancel_right_after_confirmation_refunds_and_restocks_whatever_the_stock_commit_does()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();
        await order.PaymentIsCaptured();

        await order.CustomerCancels();
        await order.ShouldBeIn(s => s.Refunding);
        Assert.Equal(CheckoutScenario.Total, (await order.ShouldHaveSent<RefundPayment>()).Amount);
        // The commit, still on its way, may fail meanwhile: the money is going back anyway.
        await order.InventoryFailsToCommit("ReservationExpired");
        await order.ShouldBeIn(s => s.Refunding);

        await order.PaymentIsRefunded();
        await order.ShouldBeIn(s => s.Refunded);
        await order.ShouldHavePublished<Contract.OrderRefunded>();
        // RestockOrder gives back whatever the order holds: sold units, or a reservation the commit has not reached yet.
        await order.ShouldHaveSent<RestockOrder>();
        order.ShouldNotHavePublished<Contract.OrderFailed>();
    }

    [Fact]
    public async Task Cancel_after_completion_refunds_and_ends_refunded()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();
        await order.PaymentIsCaptured();
        await order.CustomerIsNotified();
        await order.ShouldBeIn(s => s.Completed);

        await order.CustomerCancels();
        await order.ShouldBeIn(s => s.Refunding);
        Assert.Equal(CheckoutScenario.Total, (await order.ShouldHaveSent<RefundPayment>()).Amount);

        await order.PaymentIsRefunded();
        await order.ShouldBeIn(s => s.Refunded);
        var refunded = await order.ShouldHavePublished<Contract.OrderRefunded>();
        Assert.Equal(CheckoutScenario.Total, refunded.Amount);
        order.ShouldNotHaveSent<ReleaseStock>();
        // Not shipped: the sold units go back on hand once the money went back (the commit's compensation).
        Assert.Equal(RefundReasons.CancelledAfterConfirmation, (await order.ShouldHaveSent<RestockOrder>()).Reason);
        await order.InventoryRestocks();
        order.ShouldHaveRecorded(typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderConfirmed),
            typeof(OrderCustomerNotified), typeof(OrderCompleted), typeof(OrderCancellationRequested), typeof(OrderRefundRequested),
            typeof(OrderRefundIssued), typeof(OrderRestocked));
    }

    [Fact]
    public async Task A_refused_refund_is_recorded_and_the_order_stays_completed()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();
        await order.PaymentIsCaptured();
        await order.CustomerIsNotified();
        await order.CustomerCancels();

        await order.RefundFails();

        await order.ShouldBeIn(s => s.Completed);
        order.ShouldNotHavePublished<Contract.OrderRefunded>();
        // The customer was not refunded, so the goods stay sold.
        order.ShouldNotHaveSent<RestockOrder>();
    }

    [Fact]
    public async Task A_failed_notification_is_recorded_and_never_undoes_the_order()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();
        await order.PaymentIsCaptured();

        await order.NotificationFails();
        await order.ShouldBeIn(s => s.Confirmed);
        order.ShouldNotHaveSent<RefundPayment>();
        order.ShouldNotHaveSent<ReleaseStock>();

        // Delivered on a later attempt: now it is complete.
        await order.CustomerIsNotified();
        await order.ShouldBeIn(s => s.Completed);
    }

    [Fact]
    public async Task Duplicate_messages_act_once()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();
        await order.InventoryReservesStock();
        await order.PaymentIsCaptured();
        await order.PaymentIsCaptured();
        await order.PaymentIsDeclined();

        await order.ShouldBeIn(s => s.Confirmed);
        await order.ShouldHaveSent<ReserveStock>(times: 1);
        await order.ShouldHaveSent<ChargePayment>(times: 1);
        await order.ShouldHaveSent<CommitStock>(times: 1);
        await order.ShouldHavePublished<Contract.OrderConfirmed>(times: 1);
        order.ShouldNotHaveSent<ReleaseStock>();
        order.ShouldHaveRecorded(typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderConfirmed));
    }

    [Fact]
    public async Task Answers_for_an_unknown_order_are_dropped()
    {
        await using var order = await CheckoutScenario.Start();

        await order.InventoryReservesStock();
        await order.PaymentIsCaptured();

        order.ShouldNotHaveSent<ChargePayment>();
        order.ShouldNotHaveSent<CommitStock>();
        order.ShouldNotHaveSent<RefundPayment>();
    }

    [Fact]
    public async Task Shipping_a_completed_order_tells_the_customer_and_ends_the_right_to_cancel()
    {
        await using var order = await CheckoutScenario.Start();
        await order.OrderIsCompleted();

        await order.AdminShips("TRACK-42");
        await order.ShouldBeIn(s => s.Shipped);
        var shipped = await order.ShouldHavePublished<Contract.OrderShipped>();
        Assert.Equal("TRACK-42", shipped.TrackingReference);
        Assert.Equal("ada@shop.test", shipped.Order.CustomerEmail);

        await order.CustomerCancels();
        await order.AdminShips();
        await order.ShouldBeIn(s => s.Shipped);
        order.ShouldNotHaveSent<RefundPayment>();
        await order.ShouldHavePublished<Contract.OrderShipped>(times: 1);
    }

    [Fact]
    public async Task An_order_cannot_ship_before_it_is_confirmed()
    {
        await using var order = await CheckoutScenario.Start();
        await order.CustomerChecksOut();
        await order.InventoryReservesStock();

        await order.AdminShips();

        await order.ShouldBeIn(s => s.AwaitingPayment);
        order.ShouldNotHavePublished<Contract.OrderShipped>();
    }

    [Fact]
    public async Task A_return_is_refunded_only_after_the_goods_arrive_and_then_restocked()
    {
        await using var order = await CheckoutScenario.Start();
        await order.OrderIsCompleted();
        await order.AdminShips();

        await order.CustomerAsksForReturn("Too small");
        await order.ShouldBeIn(s => s.ReturnRequested);
        Assert.Equal("Too small", (await order.ShouldHavePublished<Contract.OrderReturnRequested>()).Reason);
        order.ShouldNotHaveSent<RefundPayment>();

        await order.AdminReceivesTheReturn();
        await order.ShouldBeIn(s => s.Refunding);
        var refund = await order.ShouldHaveSent<RefundPayment>();
        Assert.Equal((CheckoutScenario.Total, RefundReasons.Returned), (refund.Amount, refund.Reason));
        order.ShouldNotHaveSent<RestockOrder>();

        await order.PaymentIsRefunded();
        await order.ShouldBeIn(s => s.Refunded);
        Assert.Equal(RefundReasons.Returned, (await order.ShouldHaveSent<RestockOrder>()).Reason);
        await order.ShouldHavePublished<Contract.OrderRefunded>();

        await order.InventoryRestocks();
        await order.AdminReceivesTheReturn();
        await order.ShouldHaveSent<RefundPayment>(times: 1);
        order.ShouldHaveRecorded(typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderConfirmed),
            typeof(OrderCustomerNotified), typeof(OrderCompleted), typeof(OrderShipped), typeof(OrderReturnRequested), typeof(OrderReturnReceived),
            typeof(OrderRefundRequested), typeof(OrderRefundIssued), typeof(OrderRestocked));
    }

    [Fact]
    public async Task A_failed_return_refund_keeps_the_goods_unrestocked_until_a_retry_succeeds()
    {
        await using var order = await CheckoutScenario.Start();
        await order.OrderIsCompleted();
        await order.AdminShips();
        await order.CustomerAsksForReturn();
        await order.AdminReceivesTheReturn();

        await order.RefundFails();
        await order.ShouldBeIn(s => s.ReturnReceived);
        order.ShouldNotHaveSent<RestockOrder>();

        await order.AdminReceivesTheReturn();
        await order.ShouldBeIn(s => s.Refunding);
        await order.ShouldHaveSent<RefundPayment>(times: 2);
        await order.PaymentIsRefunded();
        await order.ShouldBeIn(s => s.Refunded);
        await order.ShouldHaveSent<RestockOrder>(times: 1);
    }

    [Fact]
    public async Task A_return_asked_after_the_return_window_is_ignored()
    {
        await using var order = await CheckoutScenario.Start(returnWindow: TimeSpan.FromMilliseconds(200));
        await order.OrderIsCompleted();
        await order.AdminShips();
        await order.TimePasses(TimeSpan.FromMilliseconds(500));

        await order.CustomerAsksForReturn();

        await order.ShouldBeIn(s => s.Shipped);
        order.ShouldNotHavePublished<Contract.OrderReturnRequested>();
    }

    [Fact]
    public async Task A_stock_commit_that_fails_after_shipping_is_recorded_for_an_operator_and_undoes_nothing()
    {
        await using var order = await CheckoutScenario.Start();
        await order.OrderIsCompleted();
        await order.AdminShips();

        // The commit came after the hold ran out (inventory was down that long), the units had been sold again, and the
        // goods had already left.
        await order.InventoryFailsToCommit("ReservationExpired");

        await order.ShouldBeIn(s => s.Shipped);
        order.ShouldNotHaveSent<RefundPayment>();
        order.ShouldNotHavePublished<Contract.OrderFailed>();
        order.ShouldHaveRecorded(typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderConfirmed),
            typeof(OrderCustomerNotified), typeof(OrderCompleted), typeof(OrderShipped), typeof(OrderStockCommitFailedAfterShipping));
    }

    [Fact]
    public async Task Goods_received_without_a_return_request_change_nothing()
    {
        await using var order = await CheckoutScenario.Start();
        await order.OrderIsCompleted();
        await order.AdminShips();

        await order.AdminReceivesTheReturn();

        await order.ShouldBeIn(s => s.Shipped);
        order.ShouldNotHaveSent<RefundPayment>();
    }
}
