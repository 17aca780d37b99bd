using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Operations;
using Shop.Messaging;
using Shop.Messaging.Errors;
using Shop.Messaging.Outbox;

namespace Shop.BuildingBlocks.Messaging;

public static class MessagingSetup
{
    /// <summary>
    /// MassTransit over RabbitMQ on the messaging core (Shop.Messaging: one transaction per consumed message with its
    /// inbox record and outgoing messages, scheduling in the outbox, the relay, retries and redelivery). Consumers and
    /// sagas the service registers share one queue named after the service (commands are sent there, events it subscribes
    /// to are bound to it). Call after AddShopMarten.
    /// </summary>
    public static WebApplicationBuilder AddShopMessaging(this WebApplicationBuilder builder, string serviceName,
        Action<IBusRegistrationConfigurator> configure)
    {
        var rabbit = RabbitMqSettings.From(builder.Configuration);
        ContractConventions.UseOrderIdAsCorrelationId();

        builder.Services.AddTransactionalMessaging(MessagingOptions.From(builder.Configuration));
        builder.Services.AddSingleton<IMessageContextPropagator, ActingUserPropagator>();
        builder.Services.AddSingleton(new DeadLetterQueues(rabbit, serviceName));
        builder.Services.AddSingleton<DeadOutboxRows>();

        builder.Services.AddMassTransit(x =>
        {
            // MassTransit would otherwise post usage reports to masstransit.io every few minutes: a shop's services
            // make no calls to third parties nobody configured (and here they only log a failure each time).
            x.DisableUsageTelemetry();
            x.SetEndpointNameFormatter(new ServiceEndpointNameFormatter(serviceName));
            x.UseTransactionalOutboxOutsideConsumers();

            configure(x);

            x.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseTransactionalMessaging(context));

            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                    // An outbox row is deleted only after the broker confirmed its message.
                    h.PublisherConfirmation = true;
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}

/// <summary>Every consumer and saga of a service listens on the service's queue unless it names its own.</summary>
public sealed class ServiceEndpointNameFormatter(string serviceName) : KebabCaseEndpointNameFormatter(false)
{
    public override string Consumer<T>() => serviceName;
    public override string Saga<T>() => serviceName;
}
