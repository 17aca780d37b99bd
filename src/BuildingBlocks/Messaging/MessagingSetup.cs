using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Operations;
using Shop.Messaging;
using Shop.Messaging.Errors;
using Shop.Messaging.Intake;
using Shop.Messaging.Outbox;

namespace Shop.BuildingBlocks.Messaging;

public static class MessagingSetup
{
    /// <summary>
    /// MassTransit over RabbitMQ on the messaging core (Shop.Messaging: one transaction per consumed message with its
    /// inbox record and outgoing messages, scheduling in the outbox, the relay, retries and redelivery). Consumers and
    /// sagas the service registers share one queue named after the service (commands are sent there, events it subscribes
    /// to are bound to it). With an <paramref name="intake"/>, the messages that start new work wait in a second queue
    /// while the work in progress keeps the first busy (<see cref="NewWorkIntake"/>). Call after AddShopMarten.
    /// </summary>
    public static WebApplicationBuilder AddShopMessaging(this WebApplicationBuilder builder, string serviceName,
        Action<IBusRegistrationConfigurator> configure, NewWorkIntake? intake = null)
    {
        var rabbit = RabbitMqSettings.From(builder.Configuration);
        var options = MessagingOptions.From(builder.Configuration);
        ContractConventions.UseOrderIdAsCorrelationId();

        builder.Services.AddTransactionalMessaging(options);
        builder.Services.AddSingleton<IMessageContextPropagator, ActingUserPropagator>();
        builder.Services.AddSingleton(new DeadLetterQueues(rabbit, intake is null ? [serviceName] : [serviceName, intake.Queue]));
        builder.Services.AddSingleton<DeadOutboxRows>();

        builder.Services.AddMassTransit(x =>
        {
            // MassTransit would otherwise post usage reports to masstransit.io every few minutes: a shop's services
            // make no calls to third parties nobody configured (and here they only log a failure each time).
            x.DisableUsageTelemetry();
            x.SetEndpointNameFormatter(new ServiceEndpointNameFormatter(serviceName));
            x.UseTransactionalOutboxOutsideConsumers();

            configure(x);

            x.AddConfigureEndpointsCallback((context, queue, endpoint) =>
            {
                if (queue == serviceName)
                    intake?.ConfigureMainEndpoint(endpoint, options);
                endpoint.UseTransactionalMessaging(context);
            });

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
                // After ConfigureEndpoints: configuring the consumers on an endpoint of one's own first would take them
                // out of the main endpoint.
                intake?.ConfigureIntakeEndpoint(cfg, context, rabbit, serviceName);
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
