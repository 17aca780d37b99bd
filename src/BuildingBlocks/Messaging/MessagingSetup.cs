using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Messaging.DeadLetters;
using Shop.BuildingBlocks.Messaging.Outbox;
using Shop.BuildingBlocks.Messaging.Scheduling;

namespace Shop.BuildingBlocks.Messaging;

public static class MessagingSetup
{
    /// <summary>
    /// MassTransit over RabbitMQ with the Marten inbox/outbox on every endpoint, the durable scheduler, and retries.
    /// Consumers and sagas the service registers share one queue named after the service (commands are sent there,
    /// events it subscribes to are bound to it). Call after AddShopMarten.
    /// </summary>
    public static WebApplicationBuilder AddShopMessaging(this WebApplicationBuilder builder, string serviceName,
        Action<IBusRegistrationConfigurator> configure)
    {
        var rabbit = RabbitMqSettings.From(builder.Configuration);
        ContractConventions.UseOrderIdAsCorrelationId();

        builder.Services.AddScoped<IOutboxContextFactory<MartenOutbox>, MartenOutboxContextFactory>();
        builder.Services.AddSingleton<RetryLog>();
        builder.Services.AddSingleton(new DeadLetterQueues(rabbit, serviceName));
        var redeliveries = RedeliveryIntervals(builder.Configuration["Messaging:RedeliveryIntervals"]);
        builder.Services.AddHostedService<OutboxDeliveryService>();

        builder.Services.AddMassTransit(x =>
        {
            // MassTransit would otherwise post usage reports to masstransit.io every few minutes: a shop's services
            // make no calls to third parties nobody configured (and here they only log a failure each time).
            x.DisableUsageTelemetry();
            x.SetEndpointNameFormatter(new ServiceEndpointNameFormatter(serviceName));
            x.ReplaceScoped<IScopedBusContextProvider<IBus>, MartenScopedBusContextProvider>();
            x.AddConsumer<ScheduleMessageConsumer>().Endpoint(e => e.Name = ServiceQueues.SchedulerFor(serviceName));
            // IMessageScheduler for HTTP handlers: scoped, so its ScheduleMessage goes through the request's outbox.
            x.AddMessageScheduler(ServiceQueues.Address(ServiceQueues.SchedulerFor(serviceName)));

            configure(x);

            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                // Transient failures (optimistic concurrency conflicts above all) are retried in place; then the message
                // is redelivered later through the durable scheduler (a dependency may be down for minutes); what still
                // fails lands in <queue>_error with its fault headers, listed and re-driven through /admin/errors.
                if (redeliveries.Length > 0)
                    endpoint.UseScheduledRedelivery(r => r.Intervals(redeliveries));
                endpoint.UseMessageRetry(r =>
                {
                    r.Intervals(50, 100, 200, 500, 1000, 2000, 5000);
                    r.ConnectRetryObserver(context.GetRequiredService<RetryLog>());
                });
                var outbox = new OutboxConsumePipeSpecificationObserver<MartenOutbox>(endpoint, context);
                endpoint.ConnectConsumerConfigurationObserver(outbox);
                endpoint.ConnectSagaConfigurationObserver(outbox);
            });

            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                    // The outbox deletes a row only after the broker confirmed the message.
                    h.PublisherConfirmation = true;
                });
                cfg.UseMessageScheduler(ServiceQueues.Address(ServiceQueues.SchedulerFor(serviceName)));
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>Messaging:RedeliveryIntervals, e.g. "00:00:10,00:00:30"; "none" turns delayed redelivery off.</summary>
    static TimeSpan[] RedeliveryIntervals(string? setting) => setting?.Trim() switch
    {
        null or "" => [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)],
        "none" => [],
        var list => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(value => TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
    };
}

/// <summary>Every consumer and saga of a service listens on the service's queue unless it names its own.</summary>
public sealed class ServiceEndpointNameFormatter(string serviceName) : KebabCaseEndpointNameFormatter(false)
{
    public override string Consumer<T>() => serviceName;
    public override string Saga<T>() => serviceName;
}

public sealed record RabbitMqSettings(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    /// <summary>Reads ConnectionStrings:RabbitMq, an amqp:// URI with credentials and virtual host.</summary>
    public static RabbitMqSettings From(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not configured (env ConnectionStrings__RabbitMq).");
        var uri = new Uri(value);
        var credentials = uri.UserInfo.Split(':', 2);
        var virtualHost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqSettings(
            uri.Host,
            (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port),
            string.IsNullOrEmpty(virtualHost) ? "/" : virtualHost,
            credentials.Length > 0 && credentials[0] != "" ? Uri.UnescapeDataString(credentials[0]) : "guest",
            credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest");
    }
}
