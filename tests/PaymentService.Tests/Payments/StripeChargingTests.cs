using System.Net;
using Shop.Contracts.Payments;
using Shop.Testing.Fakes;
using Xunit;

namespace Shop.PaymentService.Tests.Payments;

/// <summary>
/// ChargePayment / RefundPayment consumed by the real PaymentService process over RabbitMQ and PostgreSQL, charging
/// through Stripe.net against the fake: redelivery, re-sending and a crash mid-charge never charge twice.
/// </summary>
[Collection(StripeServiceCollection.Name)]
public sealed class StripeChargingTests(StripeServiceFixture fixture)
{
    readonly PaymentServiceHost _host = fixture.Host;
    FakeStripe Stripe => _host.FakeStripe;

    static ChargePayment Charge(Guid orderId, string method = "pm_card_visa", decimal amount = 49.90m) =>
        new(orderId, Guid.NewGuid(), amount, "EUR", method);

    int ConfirmsExecuted(string intentId) => Stripe.Executions("POST", $"/v1/payment_intents/{intentId}/confirm");

    [Fact]
    public async Task A_redelivered_charge_is_dropped_and_a_resent_one_repeats_the_outcome_without_charging_again()
    {
        var orderId = Guid.NewGuid();
        var command = Charge(orderId);
        var messageId = Guid.NewGuid();

        await _host.Send(command, messageId);
        var captured = await _host.WaitForEvent<PaymentCaptured>(orderId);

        var duplicatesBefore = await _host.DuplicatesDropped();
        await _host.Send(command, messageId); // RabbitMQ redelivery: same message id
        await _host.WaitUntil(async () => await _host.DuplicatesDropped() > duplicatesBefore, "the inbox dropped the redelivery");
        await _host.Send(command); // the saga sending the command again: new message id, same order
        await _host.WaitUntil(() => Task.FromResult(_host.Events<PaymentCaptured>(orderId).Count == 2), "the resent charge repeated its outcome");

        Assert.All(_host.Events<PaymentCaptured>(orderId), e => Assert.Equal(captured.PaymentId, e.PaymentId));
        Assert.Equal("stripe", captured.Provider);
        Assert.Equal(49.90m, captured.Amount);
        var intent = Assert.Single(Stripe.IntentsOf(orderId));
        Assert.Equal(captured.PaymentId, (string?)intent["id"]);
        Assert.Equal(4990, (long)intent["amount"]!);
        Assert.Equal(1, ConfirmsExecuted(captured.PaymentId));
        Assert.Equal(["payment_requested", "payment_captured"], await _host.LedgerEvents(orderId));

        var payment = await _host.Payment(orderId);
        Assert.Equal(("Captured", "stripe", captured.PaymentId, "pm_card_visa"), (payment.Status, payment.Provider, payment.PaymentId, payment.PaymentMethod));
    }

    [Fact]
    public async Task A_crash_after_stripe_charged_but_before_the_commit_is_redelivered_and_charges_once()
    {
        var orderId = Guid.NewGuid();
        var hold = Stripe.HoldNext("POST", "/v1/payment_intents/"); // the confirm runs at Stripe, its answer never arrives

        await _host.Send(Charge(orderId));
        await hold.Reached.WaitAsync(PaymentServiceHost.Patience);
        _host.Service.Kill();
        hold.Release();
        _host.Service.Start();
        await _host.Service.WaitUntilReadyAsync(TimeSpan.FromMinutes(3));

        var captured = await _host.WaitForEvent<PaymentCaptured>(orderId);
        var intent = Assert.Single(Stripe.IntentsOf(orderId));
        Assert.Equal(captured.PaymentId, (string?)intent["id"]);
        Assert.Equal(1, ConfirmsExecuted(captured.PaymentId));
        Assert.Contains(Stripe.Requests, r => r.Path == $"/v1/payment_intents/{captured.PaymentId}/confirm" && r.Replayed);
        Assert.Equal(["payment_requested", "payment_captured"], await _host.LedgerEvents(orderId));
    }

    [Fact]
    public async Task A_declined_card_publishes_payment_failed_and_a_resent_charge_repeats_it()
    {
        var orderId = Guid.NewGuid();

        await _host.Send(Charge(orderId, "pm_card_insufficientFunds"));
        var failed = await _host.WaitForEvent<PaymentFailed>(orderId);
        await _host.Send(Charge(orderId, "pm_card_insufficientFunds"));
        await _host.WaitUntil(() => Task.FromResult(_host.Events<PaymentFailed>(orderId).Count == 2), "the resent charge repeated the decline");

        Assert.Equal("insufficient_funds", failed.DeclineCode);
        Assert.Empty(_host.Events<PaymentCaptured>(orderId));
        Assert.Single(Stripe.IntentsOf(orderId));
        Assert.Equal(["payment_requested", "payment_declined"], await _host.LedgerEvents(orderId));
        Assert.Equal("Declined", (await _host.Payment(orderId)).Status);
    }

    [Fact]
    public async Task A_refund_goes_to_stripe_once_however_often_refund_payment_arrives()
    {
        var orderId = Guid.NewGuid();
        await _host.Send(Charge(orderId, amount: 30m));
        var captured = await _host.WaitForEvent<PaymentCaptured>(orderId);

        var refund = new RefundPayment(orderId, 30m, "EUR", "StockCommitFailed");
        var messageId = Guid.NewGuid();
        await _host.Send(refund, messageId);
        var refunded = await _host.WaitForEvent<PaymentRefunded>(orderId);
        var duplicatesBefore = await _host.DuplicatesDropped();
        await _host.Send(refund, messageId);
        await _host.WaitUntil(async () => await _host.DuplicatesDropped() > duplicatesBefore, "the inbox dropped the redelivered refund");
        await _host.Send(refund);
        await _host.WaitUntil(() => Task.FromResult(_host.Events<PaymentRefunded>(orderId).Count == 2), "the resent refund repeated its outcome");

        var stored = Assert.Single(Stripe.RefundsOf(captured.PaymentId));
        Assert.Equal(refunded.RefundId, (string?)stored["id"]);
        Assert.Equal(3000, (long)stored["amount"]!);
        Assert.Equal(30m, refunded.Amount);
        Assert.Equal(["payment_requested", "payment_captured", "refund_requested", "payment_refunded"], await _host.LedgerEvents(orderId));
        var payment = await _host.Payment(orderId);
        Assert.Equal(("Refunded", 30m), (payment.Status, payment.Refunded));
    }

    [Fact]
    public async Task Refunding_an_order_that_was_never_captured_fails_without_calling_stripe()
    {
        var orderId = Guid.NewGuid();
        var refundsBefore = Stripe.Executions("POST", "/v1/refunds");

        await _host.Send(new RefundPayment(orderId, 10m, "EUR", "Cancelled"));

        Assert.Equal("NothingCaptured", (await _host.WaitForEvent<RefundFailed>(orderId)).Reason);
        Assert.Equal(refundsBefore, Stripe.Executions("POST", "/v1/refunds"));
    }

    [Fact]
    public async Task Only_the_customer_and_admins_see_a_payment()
    {
        var orderId = Guid.NewGuid();
        var command = Charge(orderId);
        await _host.Send(command);
        await _host.WaitForEvent<PaymentCaptured>(orderId);

        using (var owner = await _host.ViewPayment(orderId, command.CustomerId, admin: false))
            Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        using (var admin = await _host.ViewPayment(orderId))
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        using (var stranger = await _host.ViewPayment(orderId, Guid.NewGuid(), admin: false))
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        using (var anonymous = await _host.Http.GetAsync($"api/payments/{orderId}"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
