using JasperFx.Events;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.BuildingBlocks.Payments;

/// <summary>Where a document keeps a copy of an event's payment method (a JSON path into the stored document).</summary>
/// <param name="DocumentType">The Marten document type; its id is the id of the event's stream.</param>
/// <param name="JsonPath">The property path as stored (Marten keeps .NET property names), e.g. ["Payment", "Method"].</param>
public sealed record PaymentMethodCopy(Type DocumentType, params string[] JsonPath);

/// <summary>How far a service's masking job has read the event store (document id = the job's event type).</summary>
public class PaymentMethodMaskingCheckpoint
{
    public string Id { get; set; } = "";
    public long LastSequence { get; set; }
    public long MaskedEvents { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Removes payment methods that are not tokens (card numbers typed into the field before checkout refused them) from what
/// a service already stored: the events themselves, with Marten's event data masking (a masking rule registered on the
/// store rewrites the event's data in place; the event keeps its id, version and sequence and gets a "masked" header),
/// and the documents that copied the value (read models, saga state), by id. Runs at every start from its checkpoint,
/// so it costs one indexed query once the history is clean, and catches a message that a service still running the old
/// code sent while the new one was being deployed at the next start.
/// </summary>
public static class PaymentMethodMasking
{
    public const string MaskedHeader = "masked";

    /// <summary>
    /// Registers the masking rule for <typeparamref name="TEvent"/> on the store (used only by the masking job) and the
    /// checkpoint document. Call from the service's Marten configuration.
    /// </summary>
    public static void AddPaymentMethodMaskingRule<TEvent>(this StoreOptions options, Func<TEvent, string?> read, Func<TEvent, string, TEvent> replace)
        where TEvent : class
    {
        options.Events.AddMaskingRuleForProtectedInformation<TEvent>(e => PaymentMethodTokens.IsToken(read(e)) ? e : replace(e, PaymentMethodTokens.Masked));
        options.Schema.For<PaymentMethodMaskingCheckpoint>();
    }

    /// <summary>Runs the masking job at start (see the class summary).</summary>
    public static IServiceCollection AddPaymentMethodMasking<TEvent>(this IServiceCollection services, Func<TEvent, string?> read,
        params PaymentMethodCopy[] copies) where TEvent : class
    {
        services.AddSingleton(provider => new PaymentMethodMaskingJob<TEvent>(provider.GetRequiredService<IDocumentStore>(), read, copies,
            provider.GetRequiredService<ILogger<PaymentMethodMaskingJob<TEvent>>>()));
        services.AddHostedService(provider => provider.GetRequiredService<PaymentMethodMaskingJob<TEvent>>());
        return services;
    }
}

public sealed class PaymentMethodMaskingJob<TEvent>(IDocumentStore store, Func<TEvent, string?> read, IReadOnlyList<PaymentMethodCopy> copies,
    ILogger<PaymentMethodMaskingJob<TEvent>> logger) : BackgroundService where TEvent : class
{
    const int BatchSize = 500;

    public record Result(long EventsRead, long EventsMasked, long Streams);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var result = await MaskAsync(stoppingToken);
            if (result.EventsMasked > 0)
                logger.LogWarning("Masked {Count} stored {EventType} payment methods that were not payment method tokens, in {Streams} streams and their documents",
                    result.EventsMasked, typeof(TEvent).Name, result.Streams);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // The service runs on: the job starts again from its checkpoint at the next start.
            logger.LogError(exception, "Masking stored {EventType} payment methods failed; it is tried again at the next start", typeof(TEvent).Name);
        }
    }

    /// <summary>Masks everything appended since the checkpoint; returns what it did.</summary>
    public async Task<Result> MaskAsync(CancellationToken cancellationToken)
    {
        var id = typeof(TEvent).FullName!;
        long read = 0, masked = 0, streams = 0;
        await using var session = store.LightweightSession();
        var checkpoint = await session.LoadAsync<PaymentMethodMaskingCheckpoint>(id, cancellationToken) ?? new PaymentMethodMaskingCheckpoint { Id = id };
        while (true)
        {
            var last = checkpoint.LastSequence;
            var batch = await session.Events.QueryAllRawEvents()
                .Where(e => e.EventTypesAre(typeof(TEvent)) && e.Sequence > last)
                .OrderBy(e => e.Sequence).Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
                break;
            read += batch.Count;

            var offending = batch.Where(Offends).ToList();
            if (offending.Count > 0)
            {
                var streamIds = offending.Select(e => e.StreamId).Distinct().ToArray();
                await store.Advanced.ApplyEventDataMasking(masking =>
                {
                    foreach (var streamId in streamIds)
                        masking.IncludeStream(streamId, Offends);
                    masking.AddHeader(PaymentMethodMasking.MaskedHeader, "payment-method");
                }, cancellationToken);
                await MaskCopiesAsync(streamIds, cancellationToken);
                masked += offending.Count;
                streams += streamIds.Length;
            }

            checkpoint.LastSequence = batch[^1].Sequence;
            checkpoint.MaskedEvents += offending.Count;
            checkpoint.UpdatedAt = DateTimeOffset.UtcNow;
            session.Store(checkpoint);
            await session.SaveChangesAsync(cancellationToken);
        }
        return new Result(read, masked, streams);
    }

    bool Offends(IEvent e) => e.Data is TEvent data && read(data) is { } value && !PaymentMethodTokens.IsToken(value);

    async Task MaskCopiesAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        if (copies.Count == 0)
            return;
        await using var session = store.LightweightSession();
        foreach (var copy in copies)
        {
            var table = store.Options.FindOrResolveDocumentType(copy.DocumentType).TableName.QualifiedName;
            var path = "{" + string.Join(",", copy.JsonPath) + "}";
            // Only a copy that is there and is not a token; mt_version stays, so no concurrent writer is made to conflict.
            session.QueueSqlCommand(
                $"update {table} set data = jsonb_set(data, '{path}', to_jsonb(?::text)) where id = any(?) and data #>> '{path}' is not null",
                PaymentMethodTokens.Masked, ids);
        }
        await session.SaveChangesAsync(cancellationToken);
    }
}
