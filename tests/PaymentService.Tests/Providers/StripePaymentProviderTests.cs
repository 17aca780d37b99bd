using Microsoft.Extensions.Logging.Abstractions;
using Shop.PaymentService.Payments.Charging;
using Shop.PaymentService.Providers;
using Shop.PaymentService.Providers.Stripe;
using Shop.Testing.Fakes;
using Stripe;
using Xunit;

namespace Shop.PaymentService.Tests.Providers;

/// <summary>The Stripe provider through the real Stripe.net SDK (HTTP, form encoding, retries) against the local fake.</summary>
public sealed class StripePaymentProviderTests : IAsyncLifetime
{
    FakeStripe _stripe = null!;

    public async Task InitializeAsync() => _stripe = await FakeStripe.StartAsync();
    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    StripePaymentProvider Provider(int maxNetworkRetries = 2) => new(new StripeClient(new StripeClientOptions
    {
        ApiKey = FakeStripe.SecretKey,
        ApiBase = _stripe.BaseAddress.ToString().TrimEnd('/'),
        HttpClient = new SystemNetHttpClient(new HttpClient(), maxNetworkRetries, appInfo: null, enableTelemetry: false),
    }), NullLogger<StripePaymentProvider>.Instance);

    static ChargeRequest Charge(Guid orderId, string method = "pm_card_visa", decimal amount = 123.45m, string currency = "EUR") =>
        new(orderId, amount, currency, method, IdempotencyKeys.Charge(orderId));

    [Fact]
    public async Task A_visa_charge_is_one_confirmed_payment_intent_in_cents_with_the_order_id_in_metadata()
    {
        var orderId = Guid.NewGuid();

        var result = await Provider().ChargeAsync(Charge(orderId), CancellationToken.None);

        var captured = Assert.IsType<ChargeResult.Captured>(result);
        var intent = Assert.Single(_stripe.IntentsOf(orderId));
        Assert.Equal((string?)intent["id"], captured.PaymentId);
        Assert.Equal("succeeded", (string?)intent["status"]);
        Assert.Equal(12345, (long)intent["amount"]!);
        Assert.Equal("eur", (string?)intent["currency"]);
        Assert.Equal("pm_card_visa", (string?)intent["payment_method"]);
        var keys = _stripe.Requests.Where(r => r.Method == "POST").Select(r => r.IdempotencyKey).ToList();
        Assert.Equal([$"order-{orderId:N}-charge-create", $"order-{orderId:N}-charge-confirm"], keys);
    }

    [Fact]
    public async Task Zero_decimal_currencies_are_sent_in_whole_units_and_impossible_amounts_are_declined_without_a_call()
    {
        var yen = Guid.NewGuid();
        Assert.IsType<ChargeResult.Captured>(await Provider().ChargeAsync(Charge(yen, amount: 1500m, currency: "JPY"), CancellationToken.None));
        Assert.Equal(1500, (long)Assert.Single(_stripe.IntentsOf(yen))["amount"]!);

        var halfYen = Guid.NewGuid();
        var declined = Assert.IsType<ChargeResult.Declined>(
            await Provider().ChargeAsync(Charge(halfYen, amount: 12.5m, currency: "JPY"), CancellationToken.None));
        Assert.Equal("invalid_amount", declined.DeclineCode);
        Assert.Empty(_stripe.IntentsOf(halfYen));
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline", "Your card was declined.")]
    [InlineData("pm_card_insufficientFunds", "insufficient_funds", "Your card has insufficient funds.")]
    [InlineData("tok_not_a_payment_method", "resource_missing", "No such PaymentMethod: 'tok_not_a_payment_method'")]
    public async Task Declines_and_unknown_payment_methods_become_declined_results(string method, string code, string reason)
    {
        var orderId = Guid.NewGuid();

        var result = await Provider().ChargeAsync(Charge(orderId, method), CancellationToken.None);

        var declined = Assert.IsType<ChargeResult.Declined>(result);
        Assert.Equal(code, declined.DeclineCode);
        Assert.Equal(reason, declined.Reason);
        Assert.NotEqual("succeeded", (string?)Assert.Single(_stripe.IntentsOf(orderId))["status"]);
    }

    [Fact]
    public async Task A_500_after_stripe_charged_is_retried_with_the_same_key_and_the_card_is_charged_once()
    {
        var orderId = Guid.NewGuid();
        _stripe.FailNext("/v1/payment_intents/", 1, FaultTiming.AfterExecuting); // the confirm ran, its answer is lost

        var result = await Provider().ChargeAsync(Charge(orderId), CancellationToken.None);

        var captured = Assert.IsType<ChargeResult.Captured>(result);
        var confirms = _stripe.Requests.Where(r => r.Path.EndsWith("/confirm", StringComparison.Ordinal)).ToList();
        Assert.Equal([500, 200], confirms.Select(r => r.Status));
        Assert.Single(confirms.Select(r => r.IdempotencyKey).Distinct());
        Assert.True(confirms[1].Replayed, "the SDK's retry must be answered from Stripe's idempotency store");
        Assert.Equal(1, _stripe.Executions("POST", "/v1/payment_intents/"));
        Assert.Equal(captured.PaymentId, (string?)Assert.Single(_stripe.IntentsOf(orderId))["id"]);

        // MassTransit redelivering the message later reaches Stripe with the same keys: still one charge.
        var again = Assert.IsType<ChargeResult.Captured>(await Provider().ChargeAsync(Charge(orderId), CancellationToken.None));
        Assert.Equal(captured.PaymentId, again.PaymentId);
        Assert.Single(_stripe.IntentsOf(orderId));
        Assert.Equal(1, _stripe.Executions("POST", "/v1/payment_intents/"));
    }

    [Fact]
    public async Task A_500_before_stripe_did_anything_is_retried_and_charges_once()
    {
        var orderId = Guid.NewGuid();
        _stripe.FailNext("/v1/payment_intents", 1, FaultTiming.BeforeExecuting); // the create

        Assert.IsType<ChargeResult.Captured>(await Provider().ChargeAsync(Charge(orderId), CancellationToken.None));

        Assert.Single(_stripe.IntentsOf(orderId));
        var creates = _stripe.Requests.Where(r => r.Path == "/v1/payment_intents").ToList();
        Assert.Equal([500, 200], creates.Select(r => r.Status));
        Assert.Equal(creates[0].IdempotencyKey, creates[1].IdempotencyKey);
    }

    [Fact]
    public async Task When_stripe_keeps_failing_the_provider_throws_so_the_message_is_retried_later_with_the_same_key()
    {
        var orderId = Guid.NewGuid();
        _stripe.FailNext("/v1/payment_intents/", 2, FaultTiming.BeforeExecuting); // the confirm: first try and the SDK's one retry

        var error = await Assert.ThrowsAsync<StripeException>(() => Provider(maxNetworkRetries: 1).ChargeAsync(Charge(orderId), CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.HttpStatusCode);

        var captured = Assert.IsType<ChargeResult.Captured>(await Provider(maxNetworkRetries: 1).ChargeAsync(Charge(orderId), CancellationToken.None));
        Assert.Equal(captured.PaymentId, (string?)Assert.Single(_stripe.IntentsOf(orderId))["id"]);
        Assert.Equal(1, _stripe.Executions("POST", "/v1/payment_intents/"));
    }

    [Fact]
    public async Task A_refund_goes_through_the_refunds_api_once_per_key_and_over_refunding_fails()
    {
        var orderId = Guid.NewGuid();
        var provider = Provider();
        var payment = Assert.IsType<ChargeResult.Captured>(await provider.ChargeAsync(Charge(orderId, amount: 40m), CancellationToken.None));

        var refund = new RefundRequest(orderId, payment.PaymentId, 40m, "EUR", IdempotencyKeys.Refund(orderId, 1));
        var refunded = Assert.IsType<RefundResult.Refunded>(await provider.RefundAsync(refund, CancellationToken.None));
        var repeated = Assert.IsType<RefundResult.Refunded>(await provider.RefundAsync(refund, CancellationToken.None));

        Assert.Equal(refunded.RefundId, repeated.RefundId);
        var stored = Assert.Single(_stripe.RefundsOf(payment.PaymentId));
        Assert.Equal(4000, (long)stored["amount"]!);
        Assert.Equal(orderId.ToString(), (string?)stored["metadata"]!["order_id"]);

        var tooMuch = await provider.RefundAsync(refund with { IdempotencyKey = IdempotencyKeys.Refund(orderId, 2) }, CancellationToken.None);
        Assert.Equal("charge_already_refunded", Assert.IsType<RefundResult.Failed>(tooMuch).Reason);
        Assert.Single(_stripe.RefundsOf(payment.PaymentId));
    }

    [Fact]
    public async Task A_charge_that_needs_authentication_stays_pending_until_stripe_settles_it()
    {
        var orderId = Guid.NewGuid();
        var provider = Provider();

        var pending = Assert.IsType<ChargeResult.Pending>(await provider.ChargeAsync(Charge(orderId, "pm_card_authenticationRequired"), CancellationToken.None));
        Assert.Equal("requires_action", pending.ProviderStatus);
        Assert.IsType<ChargeResult.Pending>(await provider.CheckChargeAsync(pending.PaymentId, CancellationToken.None));

        await _stripe.SettleAsync(pending.PaymentId, succeed: true, deliver: false);

        Assert.Equal(pending.PaymentId, Assert.IsType<ChargeResult.Captured>(await provider.CheckChargeAsync(pending.PaymentId, CancellationToken.None)).PaymentId);
    }
}
