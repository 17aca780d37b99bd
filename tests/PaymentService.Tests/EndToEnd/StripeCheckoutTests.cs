using Shop.PaymentService.Payments.ViewingPayment;
using Shop.Testing.Fakes;
using Shop.Testing;
using Xunit;

namespace Shop.PaymentService.Tests.EndToEnd;

/// <summary>Every service as a real process, PaymentService charging through Stripe.net against the fake, webhooks via the gateway.</summary>
public sealed class StripeCheckoutFixture : IAsyncLifetime
{
    public FakeStripe Stripe { get; private set; } = null!;
    public ShopCluster Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        Stripe = await FakeStripe.StartAsync();
        Cluster.Settings["Stripe:SecretKey"] = FakeStripe.SecretKey;
        Cluster.Settings["Stripe:ApiBase"] = Stripe.BaseAddress.ToString();
        Cluster.Settings["Stripe:WebhookSecret"] = Stripe.WebhookSecret;
        // Pending payments must be settled by the webhook here, not by the reconciliation's polling.
        Cluster.Settings["Payments:Reconciliation:FirstDelay"] = "00:30:00";
        Cluster.StartupTimeout = TimeSpan.FromMinutes(4);
        await Cluster.StartAsync("pay-e2e");
        Stripe.WebhookUrl = new Uri(Cluster.GatewayAddress, "api/payments/webhooks/stripe");
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StripeCheckoutCollection : ICollectionFixture<StripeCheckoutFixture>
{
    public const string Name = "stripe-checkout";
}

[Collection(StripeCheckoutCollection.Name)]
public sealed class StripeCheckoutTests(StripeCheckoutFixture fixture)
{
    static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(180);
    readonly ShopCluster _cluster = fixture.Cluster;
    FakeStripe Stripe => fixture.Stripe;

    [Fact]
    public async Task A_checkout_is_charged_through_stripe_and_completes()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer("Stripe Shopper");
        var product = (await Catalog(shopper)).Items[0];
        var cart = await shopper.AddToCart(product.Id, 2);

        var orderId = await shopper.Checkout("pm_card_visa");
        var order = await shopper.WaitForOrder(orderId, SagaTimeout, "Completed", "Failed", "Cancelled");

        Assert.True(order.Status == "Completed", $"order ended {order.Status} ({order.FailureReason})\n{_cluster.Logs()}");
        var intent = Assert.Single(Stripe.IntentsOf(orderId));
        Assert.Equal("succeeded", (string?)intent["status"]);
        Assert.Equal((long)(cart.Total * 100), (long)intent["amount"]!);
        Assert.Equal(cart.Currency.ToLowerInvariant(), (string?)intent["currency"]);

        var payment = (await shopper.Get<PaymentResponse>($"api/payments/{orderId}"))!;
        Assert.Equal(("Captured", "stripe", (string?)intent["id"], cart.Total), (payment.Status, payment.Provider, payment.PaymentId, payment.Amount));

        // Stripe's own payment_intent.succeeded webhook reached the service through the gateway and changed nothing.
        await WaitUntil(() => Stripe.Deliveries.Any(d => d.Type == "payment_intent.succeeded" && d.Status == 200), "the webhook was delivered");
    }

    [Fact]
    public async Task A_declined_card_fails_the_order_with_payment_declined()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        await shopper.AddToCart((await Catalog(shopper)).Items[1].Id, 1);

        var orderId = await shopper.Checkout("pm_card_chargeDeclined");
        var order = await shopper.WaitForOrder(orderId, SagaTimeout, "Completed", "Failed", "Cancelled");

        Assert.Equal(("Failed", "PaymentDeclined"), (order.Status, order.FailureReason));
        Assert.Equal("requires_payment_method", (string?)Assert.Single(Stripe.IntentsOf(orderId))["status"]);
    }

    [Fact]
    public async Task A_payment_needing_authentication_waits_for_stripes_webhook_and_then_completes()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        await shopper.AddToCart((await Catalog(shopper)).Items[2].Id, 1);

        var orderId = await shopper.Checkout("pm_card_authenticationRequired");
        await WaitUntil(async () => (await shopper.Get<PaymentResponse>($"api/payments/{orderId}") is { ProviderStatus: "requires_action" }),
            "the payment waits for the customer's authentication");
        // The order view is an async projection: it catches up to StockReserved and stays there until the webhook.
        var waiting = await shopper.WaitForOrder(orderId, SagaTimeout, "StockReserved", "PaymentCaptured", "Completed", "Failed");
        Assert.Equal("StockReserved", waiting.Status);

        // The customer passes 3-D Secure; Stripe tells Shop by a signed webhook, through the gateway.
        var intentId = (string)Assert.Single(Stripe.IntentsOf(orderId))["id"]!;
        await Stripe.SettleAsync(intentId, succeed: true);

        var order = await shopper.WaitForOrder(orderId, SagaTimeout, "Completed", "Failed", "Cancelled");
        Assert.True(order.Status == "Completed", $"order ended {order.Status} ({order.FailureReason})\n{_cluster.Logs()}");
        Assert.Contains(Stripe.Deliveries, d => d.Type == "payment_intent.succeeded" && d.Status == 200);
    }

    static async Task<ShopApi.ProductPage> Catalog(ShopApi api)
    {
        ShopApi.ProductPage page = null!;
        await WaitUntil(async () => (page = await api.Products("?pageSize=50&sort=price")).Total >= 3, "the demo catalog is there");
        return page;
    }

    /// <summary>Polls; a 404 counts as "not yet" (the payment appears once the saga has asked for it).</summary>
    static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        async Task<bool> FoundAndHolds()
        {
            try
            {
                return await condition();
            }
            catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return false;
            }
        }

        if (!await Poll.Until(FoundAndHolds, SagaTimeout, TimeSpan.FromMilliseconds(200)))
            throw new TimeoutException($"Timed out waiting until {what}");
    }

    static Task WaitUntil(Func<bool> condition, string what) => WaitUntil(() => Task.FromResult(condition()), what);
}
