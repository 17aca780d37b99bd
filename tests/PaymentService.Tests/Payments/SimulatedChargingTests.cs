using Shop.Contracts.Payments;
using Shop.PaymentService.Payments.Charging;
using Shop.PaymentService.Providers;
using Xunit;

namespace Shop.PaymentService.Tests.Payments;

/// <summary>
/// The simulated provider (the default) in the real service process over RabbitMQ and PostgreSQL: redelivery, the
/// never-answering token for timeout tests and the late-answering one that the reconciliation captures.
/// </summary>
[Collection(SimulatedServiceCollection.Name)]
public sealed class SimulatedChargingTests(SimulatedServiceFixture fixture)
{
    readonly PaymentServiceHost _host = fixture.Host;

    static ChargePayment Charge(Guid orderId, string method) => new(orderId, Guid.NewGuid(), 12.50m, "EUR", method);

    [Fact]
    public async Task A_redelivered_or_resent_charge_is_recorded_once()
    {
        var orderId = Guid.NewGuid();
        var messageId = Guid.NewGuid();

        await _host.Send(Charge(orderId, "pm_card_visa"), messageId);
        var captured = await _host.WaitForEvent<PaymentCaptured>(orderId);
        var duplicatesBefore = await _host.DuplicatesDropped();
        await _host.Send(Charge(orderId, "pm_card_visa"), messageId);
        await _host.WaitUntil(async () => await _host.DuplicatesDropped() > duplicatesBefore, "the inbox dropped the redelivery");
        await _host.Send(Charge(orderId, "pm_card_visa"));
        await _host.WaitUntil(() => Task.FromResult(_host.Events<PaymentCaptured>(orderId).Count == 2), "the resent charge repeated its outcome");

        Assert.Equal("simulated", captured.Provider);
        Assert.All(_host.Events<PaymentCaptured>(orderId), e => Assert.Equal(captured.PaymentId, e.PaymentId));
        Assert.Equal(["payment_requested", "payment_captured"], await _host.LedgerEvents(orderId));
    }

    [Fact]
    public async Task A_declining_token_publishes_payment_failed()
    {
        var orderId = Guid.NewGuid();
        await _host.Send(Charge(orderId, "pm_card_chargeDeclined"));

        Assert.Equal("generic_decline", (await _host.WaitForEvent<PaymentFailed>(orderId)).DeclineCode);
        Assert.Equal("Declined", (await _host.Payment(orderId)).Status);
    }

    [Fact]
    public async Task A_card_number_instead_of_a_token_is_declined_and_never_stored()
    {
        var orderId = Guid.NewGuid();
        const string cardNumber = "4242424242424242";

        await _host.Send(Charge(orderId, cardNumber));

        Assert.Equal("invalid_payment_method", (await _host.WaitForEvent<PaymentFailed>(orderId)).DeclineCode);
        Assert.Equal(PaymentMethodToken.Rejected, (await _host.Payment(orderId)).PaymentMethod);
        Assert.True(await _host.LedgerMentions(orderId, PaymentMethodToken.Rejected), "the ledger holds the placeholder");
        Assert.False(await _host.LedgerMentions(orderId, cardNumber), "the card number must not be stored");
    }

    [Fact]
    public async Task Without_a_webhook_secret_the_stripe_webhook_endpoint_is_not_there()
    {
        using var response = await _host.Http.PostAsync(_host.WebhookUrl, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task No_answer_stays_pending_through_reconciliation_checks_and_publishes_nothing()
    {
        var orderId = Guid.NewGuid();
        var checksBefore = await _host.InboxEntries("ReconcilePaymentConsumer");

        await _host.Send(Charge(orderId, SimulatedPaymentProvider.NoAnswer));
        await _host.WaitForPaymentStatus(orderId, "Pending");
        // Checks back after 2 s, then 4 s: both must find it still pending.
        await _host.WaitUntil(async () => await _host.InboxEntries("ReconcilePaymentConsumer") >= checksBefore + 2, "two reconciliation checks ran");

        Assert.Equal("Pending", (await _host.Payment(orderId)).Status);
        Assert.Empty(_host.Events<PaymentCaptured>(orderId));
        Assert.Empty(_host.Events<PaymentFailed>(orderId));
        Assert.Equal(["payment_requested", "payment_pending"], await _host.LedgerEvents(orderId));

        // The saga timed out and asks for a refund: nothing was captured.
        await _host.Send(new RefundPayment(orderId, 12.50m, "EUR", "PaymentTimeout"));
        Assert.Equal("NothingCaptured", (await _host.WaitForEvent<RefundFailed>(orderId)).Reason);
    }

    [Fact]
    public async Task Late_answer_is_pending_first_and_captured_when_the_service_checks_back()
    {
        var orderId = Guid.NewGuid();

        await _host.Send(Charge(orderId, SimulatedPaymentProvider.LateAnswer));
        var captured = await _host.WaitForEvent<PaymentCaptured>(orderId);

        Assert.StartsWith("pi_sim_late_", captured.PaymentId);
        Assert.Equal(["payment_requested", "payment_pending", "payment_captured"], await _host.LedgerEvents(orderId));
        var payment = await _host.Payment(orderId);
        Assert.Equal(("Captured", captured.PaymentId), (payment.Status, payment.PaymentId));

        // The late capture can now be refunded (what the saga does when its payment timeout had already failed the order).
        await _host.Send(new RefundPayment(orderId, 12.50m, "EUR", "PaymentTimeout"));
        Assert.Equal(12.50m, (await _host.WaitForEvent<PaymentRefunded>(orderId)).Amount);
    }
}
