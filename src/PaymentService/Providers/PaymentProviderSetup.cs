using Microsoft.Extensions.Options;
using Shop.PaymentService.Providers.Stripe;
using Stripe;

namespace Shop.PaymentService.Providers;

public static class PaymentProviderSetup
{
    /// <summary>
    /// Payments:Provider chooses "simulated" or "stripe"; when it is not set, a configured Stripe:SecretKey means Stripe and
    /// its absence the simulated provider.
    /// </summary>
    public static WebApplicationBuilder AddPaymentProvider(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(StripeSettings.Section);
        builder.Services.Configure<StripeSettings>(section);
        var settings = section.Get<StripeSettings>() ?? new StripeSettings();
        var provider = builder.Configuration["Payments:Provider"]?.Trim().ToLowerInvariant()
            ?? (string.IsNullOrWhiteSpace(settings.SecretKey) ? "simulated" : "stripe");

        switch (provider)
        {
            case "simulated":
                builder.Services.AddSingleton<IPaymentProvider, SimulatedPaymentProvider>();
                break;
            case "stripe":
                if (string.IsNullOrWhiteSpace(settings.SecretKey))
                    throw new InvalidOperationException("Payments:Provider is stripe but Stripe:SecretKey is not configured (env Stripe__SecretKey).");
                // One line per Stripe call at Information drowns the payment log; failures still surface as warnings.
                builder.Logging.AddFilter("System.Net.Http.HttpClient." + StripeSettings.Section, LogLevel.Warning);
                builder.Services.AddHttpClient(StripeSettings.Section, http => http.Timeout = settings.RequestTimeout);
                builder.Services.AddSingleton<IStripeClient>(services => CreateClient(services, services.GetRequiredService<IOptions<StripeSettings>>().Value));
                builder.Services.AddSingleton<IPaymentProvider, StripePaymentProvider>();
                break;
            default:
                throw new InvalidOperationException($"Payments:Provider '{provider}' is unknown: use simulated or stripe.");
        }
        return builder;
    }

    /// <summary>Says at start-up which provider charges, and what is missing for Stripe's webhooks.</summary>
    public static void LogPaymentProvider(this WebApplication app)
    {
        var provider = app.Services.GetRequiredService<IPaymentProvider>();
        app.Logger.LogInformation("Payments are charged by the {Provider} provider", provider.Name);
        if (provider is StripePaymentProvider && string.IsNullOrWhiteSpace(app.Services.GetRequiredService<IOptions<StripeSettings>>().Value.WebhookSecret))
            app.Logger.LogWarning("Stripe:WebhookSecret is not configured: Stripe webhooks are refused and pending payments are settled only " +
                                  "by the reconciliation's checks");
    }

    static StripeClient CreateClient(IServiceProvider services, StripeSettings settings)
    {
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(StripeSettings.Section);
        var options = new StripeClientOptions
        {
            ApiKey = settings.SecretKey,
            HttpClient = new SystemNetHttpClient(http, settings.MaxNetworkRetries, new AppInfo { Name = "Shop" }, enableTelemetry: false),
        };
        if (!string.IsNullOrWhiteSpace(settings.ApiBase))
            options.ApiBase = settings.ApiBase.TrimEnd('/');
        return new StripeClient(options);
    }
}
