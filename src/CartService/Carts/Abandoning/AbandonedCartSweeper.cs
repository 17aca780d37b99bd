using Marten;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks.Persistence;

namespace Shop.CartService.Carts.Abandoning;

/// <summary>The customer left the cart untouched for longer than the configured idle time. Any later change reopens it.</summary>
public record CartAbandoned(DateTimeOffset IdleSince, TimeSpan IdleFor);

public sealed class AbandonedCartOptions
{
    /// <summary>How long a cart with items may sit untouched before it counts as abandoned (Cart:AbandonedAfter).</summary>
    public TimeSpan AbandonedAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the job looks for idle carts (Cart:AbandonedSweepInterval).</summary>
    public TimeSpan AbandonedSweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Marks idle carts abandoned by appending <see cref="CartAbandoned"/> to their streams. A periodic query of the cart
/// projection rather than one scheduled message per cart: the due carts are always derivable from PostgreSQL (last
/// activity is in the snapshot), so nothing is lost while the service is down, a changed idle time applies to every cart
/// at once, and cart changes need no rescheduling. Several instances may sweep at once: the version-checked append lets
/// exactly one mark a cart, and a customer's change racing the mark wins (the mark is re-decided on the next sweep).
/// </summary>
public sealed class AbandonedCartSweeper(IDocumentStore store, IOptions<AbandonedCartOptions> options, TimeProvider clock,
    ILogger<AbandonedCartSweeper> logger) : BackgroundService
{
    const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var marked = await SweepOnce(stoppingToken);
                if (marked > 0)
                    logger.LogInformation("Marked {Count} idle carts abandoned", marked);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Abandoned-cart sweep failed; trying again at the next interval");
            }
            try { await Task.Delay(options.Value.AbandonedSweepInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Marks every cart idle past the threshold now; returns how many it marked.</summary>
    public async Task<int> SweepOnce(CancellationToken cancellationToken)
    {
        var idleFor = options.Value.AbandonedAfter;
        var marked = 0;
        while (true)
        {
            var cutoff = clock.GetUtcNow() - idleFor;
            IReadOnlyList<Guid> due;
            await using (var query = store.QuerySession())
                due = await query.Query<Cart>()
                    .Where(c => c.Status == CartStatus.Open && c.LastActivityAt < cutoff && c.Lines.Any())
                    .OrderBy(c => c.LastActivityAt)
                    .Select(c => c.Id)
                    .Take(BatchSize)
                    .ToListAsync(cancellationToken);

            var markedNow = 0;
            foreach (var cartId in due)
            {
                if (await Mark(cartId, idleFor, cancellationToken))
                    markedNow++;
            }
            marked += markedNow;
            // A full batch with nothing marked means every due cart is contended: leave them for the next sweep.
            if (due.Count < BatchSize || markedNow == 0)
                return marked;
        }
    }

    async Task<bool> Mark(Guid cartId, TimeSpan idleFor, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Cart>(cartId, cancellationToken);
        var cart = stream.Aggregate;
        if (cart is not { Status: CartStatus.Open } || cart.Lines.Count == 0 || cart.LastActivityAt >= clock.GetUtcNow() - idleFor)
            return false;
        stream.AppendOne(new CartAbandoned(cart.LastActivityAt, idleFor));
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (Exception exception) when (OptimisticRetry.IsConflict(exception))
        {
            return false; // the customer (or another instance) changed the cart meanwhile
        }
    }
}
