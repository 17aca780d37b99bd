using System.Net;
using System.Net.Http.Json;
using System.Text;
using Shop.Contracts.Payments;
using Shop.PaymentService.Payments.Webhooks;
using Shop.Testing.Fakes;
using Shop.Testing;
using Stripe;
using Xunit;

namespace Shop.PaymentService.Tests.Payments;

/// <summary>POST /api/payments/webhooks/stripe on the real service: signature checks, replay protection, reconciliation.</summary>
[Collection(StripeServiceCollection.Name)]
public sealed class StripeWebhookTests(StripeServiceFixture fixture)
{
    readonly PaymentServiceHost _host = fixture.Host;
    FakeStripe Stripe => _host.FakeStripe;

    async Task<HttpResponseMessage> Post(string payload, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _host.WebhookUrl) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        if (signature is not null)
            request.Headers.Add("Stripe-Signature", signature);
        return await _host.Http.SendAsync(request);
    }

    /// <summary>A charge that needs 3-D Secure: Stripe leaves it requires_action and the ledger pending.</summary>
    async Task<(Guid OrderId, string IntentId)> PendingCharge()
    {
        var orderId = Guid.NewGuid();
        await _host.Send(new ChargePayment(orderId, Guid.NewGuid(), 80m, "EUR", "pm_card_authenticationRequired"));
        var payment = await _host.WaitForPaymentStatus(orderId, "Pending");
        await _host.WaitUntil(async () => (await _host.Payment(orderId)).PaymentId is not null, "the pending payment has Stripe's id");
        payment = await _host.Payment(orderId);
        Assert.Equal("requires_action", payment.ProviderStatus);
        return (orderId, payment.PaymentId!);
    }

    [Fact]
    public async Task A_signed_payment_intent_succeeded_captures_a_pending_charge_once_and_forged_ones_change_nothing()
    {
        var (orderId, intentId) = await PendingCharge();
        Assert.Empty(_host.Events<PaymentCaptured>(orderId)); // pending: nothing published
        var (payload, eventId) = await Stripe.SettleAsync(intentId, succeed: true, deliver: false);

        Assert.Contains("\"amount\":8000", payload);
        using (var unsigned = await Post(payload, null))
            await AssertProblem(unsigned, HttpStatusCode.BadRequest);
        using (var tampered = await Post(payload.Replace("\"amount\":8000", "\"amount\":1"), Stripe.Sign(payload)))
            await AssertProblem(tampered, HttpStatusCode.BadRequest);
        using (var foreign = await Post(payload, EventUtility.GenerateSignatureHeader(payload, "whsec_someone_else")))
            await AssertProblem(foreign, HttpStatusCode.BadRequest);
        using (var stale = await Post(payload, Stripe.Sign(payload, DateTimeOffset.UtcNow.AddMinutes(-10))))
            await AssertProblem(stale, HttpStatusCode.BadRequest);
        using (var garbage = await Post(payload, "not a signature"))
            await AssertProblem(garbage, HttpStatusCode.BadRequest);
        Assert.Equal("Pending", (await _host.Payment(orderId)).Status);
        Assert.Equal(["payment_requested", "payment_pending"], await _host.LedgerEvents(orderId));

        using (var genuine = await Post(payload, Stripe.Sign(payload)))
            Assert.Equal(new WebhookReceipt(eventId, "captured"), await Receipt(genuine));
        var captured = await _host.WaitForEvent<PaymentCaptured>(orderId);
        Assert.Equal((intentId, 80m, "EUR"), (captured.PaymentId, captured.Amount, captured.Currency));

        using (var replayed = await Post(payload, Stripe.Sign(payload)))
            Assert.Equal(new WebhookReceipt(eventId, "duplicate"), await Receipt(replayed));
        Assert.Equal(["payment_requested", "payment_pending", "payment_captured"], await _host.LedgerEvents(orderId));
        Assert.Equal("Captured", (await _host.Payment(orderId)).Status);
        Assert.Single(_host.Events<PaymentCaptured>(orderId));
    }

    [Fact]
    public async Task A_signed_payment_failed_webhook_declines_a_pending_charge()
    {
        var (orderId, intentId) = await PendingCharge();
        var (payload, eventId) = await Stripe.SettleAsync(intentId, succeed: false, deliver: false);

        using (var response = await Post(payload, Stripe.Sign(payload)))
            Assert.Equal(new WebhookReceipt(eventId, "declined"), await Receipt(response));

        var failed = await _host.WaitForEvent<PaymentFailed>(orderId);
        Assert.Equal("generic_decline", failed.DeclineCode);
        Assert.Equal("Declined", (await _host.Payment(orderId)).Status);
    }

    [Fact]
    public async Task A_webhook_about_an_already_settled_payment_is_acknowledged_and_changes_nothing()
    {
        var orderId = Guid.NewGuid();
        await _host.Send(new ChargePayment(orderId, Guid.NewGuid(), 15m, "EUR", "pm_card_visa"));
        var captured = await _host.WaitForEvent<PaymentCaptured>(orderId);
        var intent = Assert.Single(Stripe.IntentsOf(orderId));
        var payload = FakeStripe.EventJson(EventTypes.PaymentIntentSucceeded, intent, out var eventId);

        using (var response = await Post(payload, Stripe.Sign(payload)))
            Assert.Equal(new WebhookReceipt(eventId, "ignored: already Captured"), await Receipt(response));

        Assert.Equal(["payment_requested", "payment_captured"], await _host.LedgerEvents(orderId));
        Assert.Equal(captured.PaymentId, (await _host.Payment(orderId)).PaymentId);
    }

    [Fact]
    public async Task A_refund_made_at_stripe_reaches_the_ledger_through_charge_refunded()
    {
        var orderId = Guid.NewGuid();
        await _host.Send(new ChargePayment(orderId, Guid.NewGuid(), 20m, "EUR", "pm_card_visa"));
        var captured = await _host.WaitForEvent<PaymentCaptured>(orderId);

        // Refunded in Stripe's dashboard (here: straight through the SDK), not by Shop.
        var client = new StripeClient(new StripeClientOptions { ApiKey = FakeStripe.SecretKey, ApiBase = Stripe.BaseAddress.ToString().TrimEnd('/') });
        await new RefundService(client).CreateAsync(new RefundCreateOptions { PaymentIntent = captured.PaymentId, Amount = 500 });
        var payload = FakeStripe.EventJson(EventTypes.ChargeRefunded, Stripe.ChargeOf(captured.PaymentId), out var eventId);

        using (var response = await Post(payload, Stripe.Sign(payload)))
            Assert.Equal(new WebhookReceipt(eventId, "refunded"), await Receipt(response));

        var refunded = await _host.WaitForEvent<PaymentRefunded>(orderId);
        Assert.Equal(5m, refunded.Amount);
        var payment = await _host.Payment(orderId);
        Assert.Equal(("Captured", 5m), (payment.Status, payment.Refunded));
    }

    [Fact]
    public async Task An_oversized_payload_is_refused_without_being_read()
    {
        var payload = new string('x', 300 * 1024);
        using var response = await Post(payload, Stripe.Sign(payload));
        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Events_shop_does_not_handle_are_acknowledged()
    {
        var payload = FakeStripe.EventJson("customer.created", new System.Text.Json.Nodes.JsonObject { ["id"] = "cus_123", ["object"] = "customer" }, out var eventId);
        using var response = await Post(payload, Stripe.Sign(payload));
        Assert.Equal(new WebhookReceipt(eventId, "ignored: not handled"), await Receipt(response));
    }

    static async Task<WebhookReceipt?> Receipt(HttpResponseMessage response)
    {
        await ShopApi.EnsureSuccess(response);
        return await response.Content.ReadFromJsonAsync<WebhookReceipt>(ShopApi.Json);
    }

    static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
    }
}
