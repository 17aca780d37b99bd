using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Shop.Messaging;

/// <summary>
/// The outbox and inbox tables of one service, in its own schema next to its Marten documents, so that one Marten
/// transaction commits a consumer's effect, its inbox record and its outgoing messages together. Plain tables with
/// real columns (not Marten documents): the relay, the cleaner and retention filter and sort on indexed columns.
/// Marten creates and migrates them with the rest of the schema (they are registered as extended schema objects).
/// </summary>
public sealed class MessagingTables
{
    public const string InboxPrimaryKey = "pk_inbox";

    public MessagingTables(string schema)
    {
        Schema = schema;
        Outbox = $"{schema}.outbox";
        Inbox = $"{schema}.inbox";
    }

    public string Schema { get; }

    /// <summary>
    /// Messages waiting to reach the broker. A row is visible to the relay from visible_at: for a message sent while
    /// consuming or handling a request that is "commit time + dispatch lease" (the committing process sends it itself
    /// right after the commit and deletes the row), for a scheduled message its due time. The id of a scheduled row is
    /// its scheduling token, so unscheduling deletes it.
    /// </summary>
    public string Outbox { get; }

    /// <summary>Which (consumer, message id) pairs have been consumed: a redelivered copy fails its insert and is dropped.</summary>
    public string Inbox { get; }

    public void Register(StoreOptions options)
    {
        options.Storage.ExtendedSchemaObjects.Add(OutboxTable());
        options.Storage.ExtendedSchemaObjects.Add(InboxTable());
    }

    Table OutboxTable()
    {
        var table = new Table(new PostgresqlObjectName(Schema, "outbox", SchemaUtils.IdentifierUsage.General)) { PrimaryKeyName = "pk_outbox" };
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<Guid>("message_id").NotNull();
        table.AddColumn("destination", "text").NotNull();
        table.AddColumn("message_type", "text").NotNull();
        table.AddColumn("content_type", "text").NotNull();
        table.AddColumn("body", "text").NotNull();
        table.AddColumn("headers", "text");
        table.AddColumn("properties", "text");
        table.AddColumn<Guid>("conversation_id");
        table.AddColumn<Guid>("correlation_id");
        table.AddColumn<Guid>("initiator_id");
        table.AddColumn<Guid>("request_id");
        table.AddColumn("source_address", "text");
        table.AddColumn("response_address", "text");
        table.AddColumn("fault_address", "text");
        table.AddColumn("expiration_time", "timestamptz");
        table.AddColumn("sent_time", "timestamptz").NotNull();
        // When a scheduled message is due (null: to be sent right away). Only for operators' figures.
        table.AddColumn("scheduled_for", "timestamptz");
        table.AddColumn("visible_at", "timestamptz").NotNull();
        table.AddColumn("created_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        table.AddColumn<int>("attempts").NotNull().DefaultValue(0);
        table.AddColumn("last_error", "text");
        table.AddColumn("dead_at", "timestamptz");
        // The relay's claim: due rows that are not dead, oldest first.
        table.Indexes.Add(new IndexDefinition("ix_outbox_due") { Columns = ["visible_at"], Predicate = "dead_at is null" });
        // The errors API lists the dead ones.
        table.Indexes.Add(new IndexDefinition("ix_outbox_dead") { Columns = ["dead_at"], Predicate = "dead_at is not null" });
        return table;
    }

    Table InboxTable()
    {
        var table = new Table(new PostgresqlObjectName(Schema, "inbox", SchemaUtils.IdentifierUsage.General)) { PrimaryKeyName = InboxPrimaryKey };
        table.AddColumn("consumer", "text").AsPrimaryKey();
        table.AddColumn<Guid>("message_id").AsPrimaryKey();
        table.AddColumn("consumed_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        // Retention deletes by age.
        table.Indexes.Add(new IndexDefinition("ix_inbox_consumed_at") { Columns = ["consumed_at"] });
        return table;
    }
}
