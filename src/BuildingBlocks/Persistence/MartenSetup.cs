using JasperFx;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.BuildingBlocks.Messaging.Outbox;
using Weasel.Core;
using Shop.BuildingBlocks.Operations;

namespace Shop.BuildingBlocks.Persistence;

public static class MartenSetup
{
    /// <summary>
    /// Marten on the shared PostgreSQL server, in the service's own schema. Documents, event streams and the messaging
    /// tables (outbox, inbox, scheduled messages) all live there, so one session commits all of them together.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddShopMarten(
        this WebApplicationBuilder builder, string schema, Action<StoreOptions> configure)
    {
        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not configured (env ConnectionStrings__Postgres).");

        builder.Services.AddSingleton(_ => new ShopDatabase(NpgsqlDataSource.Create(connectionString), schema));
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddScoped<MartenUnitOfWork>();

        var expression = builder.Services.AddMarten(services =>
        {
            var options = new StoreOptions();
            options.Connection(connectionString);
            options.DatabaseSchemaName = schema;
            options.Events.DatabaseSchemaName = schema;
            // Required with the DistributedLock shim: the async daemon needs advisory-lock transactions (RECIPES.md).
            options.Events.UseAdvisoryLockTransaction = true;
            options.Events.MetadataConfig.CorrelationIdEnabled = true;
            options.Events.MetadataConfig.CausationIdEnabled = true;
            options.Events.MetadataConfig.HeadersEnabled = true;
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString);
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.DisableNpgsqlLogging = true;

            options.Schema.For<OutboxMessage>().Identity(x => x.Id)
                .Index(x => x.InboxMessageId);
            options.Schema.For<InboxState>().Identity(x => x.Id).UseOptimisticConcurrency(true);
            options.Listeners.Add(new OutboxCommitListener(services.GetRequiredService<OutboxSignal>()));

            configure(options);
            return options;
        });
        // Lightweight sessions that stamp the authenticated user on the events they append (Operations/ActingUser).
        builder.Services.AddHttpContextAccessor();
        expression.BuildSessionsWith<ActingUserSessionFactory>();
        builder.Services.AddHostedService<SchemaMigrator>();
        return expression;
    }
}
