namespace Shop.PaymentService.Providers.Stripe;

/// <summary>The "Stripe" configuration section. A secret key switches the service from the simulated provider to Stripe.</summary>
public sealed class StripeSettings
{
    public const string Section = "Stripe";

    /// <summary>sk_test_… / sk_live_… (or a restricted rk_ key). Never logged.</summary>
    public string? SecretKey { get; set; }

    /// <summary>whsec_…: verifies the Stripe-Signature of POST /api/payments/webhooks/stripe. Without it webhooks answer 404.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Another API base URL (a Stripe-compatible fake in tests); Stripe's own when empty.</summary>
    public string? ApiBase { get; set; }

    /// <summary>How often the SDK retries a request after a network error, 409 or 5xx (with the same idempotency key).</summary>
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>How old a webhook's signed timestamp may be before it is rejected as stale (Stripe's default: 300).</summary>
    public int WebhookToleranceSeconds { get; set; } = 300;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
