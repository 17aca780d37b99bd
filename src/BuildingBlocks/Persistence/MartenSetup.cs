using JasperFx;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Weasel.Core;
using Shop.BuildingBlocks.Operations;
using Shop.Messaging;

namespace Shop.BuildingBlocks.Persistence;

public static class MartenSetup
{
    /// <summary>
    /// Marten on the shared PostgreSQL server, in the service's own schema. Documents, event streams and the messaging
    /// tables (outbox with its scheduled messages, inbox) all live there, so one session commits all of them together.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddShopMarten(
        this WebApplicationBuilder builder, string schema, Action<StoreOptions> configure)
    {
        var configured = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not configured (env ConnectionStrings__Postgres).");
        // Npgsql resets a pooled connection with DISCARD ALL when it returns to the pool: one more statement (and one
        // more transaction in pg_stat_database) for every open/close, which Marten and the messaging core do several
        // times per message. Nothing here leaves session state behind (no SET, no session advisory locks on pooled
        // connections), so the reset buys nothing (docs/MESSAGING.md, "Round trips"); keeping it off also keeps the
        // prepared statements below. Auto-prepare: the few dozen statements every message runs (Marten's upserts and
        // appends, the inbox and outbox inserts, the relay's claim) are parsed and planned once per pooled connection
        // instead of on every execution (docs/PERFORMANCE.md).
        var connectionString = new NpgsqlConnectionStringBuilder(configured)
        {
            NoResetOnClose = true,
            MaxAutoPrepare = 100,
            AutoPrepareMinUsages = 2,
        }.ConnectionString;

        var database = new ShopDatabase(NpgsqlDataSource.Create(connectionString), schema);
        var messagingTables = new MessagingTables(schema);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(database.DataSource);
        builder.Services.AddSingleton(messagingTables);

        var expression = builder.Services.AddMarten(_ =>
        {
            var options = new StoreOptions();
            options.Connection(connectionString);
            options.DatabaseSchemaName = schema;
            options.Events.DatabaseSchemaName = schema;
            // The HotCold leader's advisory lock is held by its connection (session lock), not by a transaction left
            // open for as long as leadership lasts: such a transaction keeps its snapshot, so the whole database's xmin
            // horizon stayed where it was when the leader started and no vacuum, page pruning or index clean-up could
            // remove any row deleted or updated since. Marten's monitor of that lock is a `SELECT pg_sleep(60)` kept
            // running on the lock's connection, which holds a snapshot the same way, a minute at a time; what it was
            // for — noticing that a restart of PostgreSQL took the lock away — ShardWatchdog does instead
            // (docs/DEPENDENCIES.md, docs/PERFORMANCE.md).
            options.Events.UseAdvisoryLockTransaction = false;
            options.Events.UseMonitoredAdvisoryLock = false;
            options.Events.MetadataConfig.CorrelationIdEnabled = true;
            options.Events.MetadataConfig.CausationIdEnabled = true;
            options.Events.MetadataConfig.HeadersEnabled = true;
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString);
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.DisableNpgsqlLogging = true;

            messagingTables.Register(options);

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
