using Npgsql;
using Shop.Messaging.Outbox;

namespace Shop.Messaging;

/// <summary>
/// What one instance's messaging core has done since it started, and what the service's outbox holds now: the figures
/// an operator looks at first when messages seem slow or lost (GET /admin/messaging).
/// </summary>
public record MessagingStatus(
    long Consumed, long DuplicatesDropped, long Dispatched, long DispatchFailures, long RelaySent, long RelayFailed, OutboxBacklog Outbox)
{
    public static async Task<MessagingStatus> Read(MessagingCounters counters, OutboxRelay relay, NpgsqlDataSource database, MessagingTables tables,
        CancellationToken cancellationToken)
    {
        var (sent, failed) = relay.Counts;
        return new MessagingStatus(counters.Consumed, counters.DuplicatesDropped, counters.Dispatched, counters.DispatchFailures, sent, failed,
            await OutboxBacklog.Read(database, tables, cancellationToken));
    }
}
