using JasperFx.Events;
using Marten;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Persistence;

namespace Shop.CartService.Carts;

/// <summary>One try at changing the customer's current cart, with its own session (and outbox) that commits at most once.</summary>
public sealed class CartAttempt(IDocumentSession session, IServiceProvider services, Cart cart, bool isNew, int number)
{
    public IDocumentSession Session { get; } = session;
    /// <summary>The attempt's scope: IPublishEndpoint resolved here writes into <see cref="Session"/>'s outbox.</summary>
    public IServiceProvider Services { get; } = services;
    /// <summary>The customer's current cart; a new, not yet stored, empty cart when they have none.</summary>
    public Cart Cart { get; } = cart;
    public bool IsNew { get; } = isNew;
    public int Number { get; } = number;
}

/// <summary>What a change decided: events to append, nothing to do, or an answer (a refusal, a replay) instead.</summary>
public sealed record CartDecision
{
    public IReadOnlyList<object> Events { get; private init; } = [];
    public CartRefusal? Refusal { get; private init; }
    /// <summary>An answer other than a refusal (a checkout's idempotent replay).</summary>
    public IResult? Answer { get; private init; }

    public static CartDecision Append(params object[] events) => new() { Events = events };
    public static CartDecision Unchanged { get; } = new();
    public static CartDecision Refuse(CartRefusal refusal) => new() { Refusal = refusal };
    public static CartDecision Respond(IResult answer) => new() { Answer = answer };
}

/// <param name="Cart">The cart after the change (null when the customer has no current cart).</param>
/// <param name="Answer">Set when the change was refused or answered otherwise.</param>
public sealed record CartWriteResult(Cart? Cart, IResult? Answer, IReadOnlyList<object> Appended, bool Stale = false);

/// <summary>
/// Changes a customer's current cart: read, decide, append with the version read, commit. A concurrent writer (another
/// tab, a double click) makes the commit fail on the stream version; the change is then decided again on the fresh cart,
/// so concurrent changes all survive. With If-Match the client pinned a version: a cart that moved on answers 412.
/// Each attempt uses its own scope, so a failed attempt leaves nothing (events, documents, outbox rows) behind.
/// </summary>
public sealed class CartWriter(IServiceScopeFactory scopes, ILogger<CartWriter> logger)
{
    const int MaxAttempts = 40;

    public Task<CartWriteResult> Change(Guid customerId, CartPrecondition precondition, Func<CartAttempt, Task<CartDecision>> decide,
        CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async number =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
            return await Attempt(customerId, precondition, decide, session, scope.ServiceProvider, number, cancellationToken);
        }, cancellationToken, MaxAttempts, exhausted: number =>
        {
            logger.LogWarning("Cart of customer {CustomerId} still contended after {Attempts} attempts", customerId, number);
            return new CartWriteResult(null, Problems.Conflict("The cart is being changed by many requests at once; try again."), []);
        });

    static async Task<CartWriteResult> Attempt(Guid customerId, CartPrecondition precondition, Func<CartAttempt, Task<CartDecision>> decide,
        IDocumentSession session, IServiceProvider services, int number, CancellationToken cancellationToken)
    {
        // The reads, the decision and the write in one transaction (the decision calls nothing over the network).
        await session.BeginTransactionAsync(cancellationToken);
        var active = await session.LoadAsync<ActiveCart>(customerId, cancellationToken);
        IEventStream<Cart>? stream = null;
        if (active is not null)
            stream = await session.Events.FetchForWriting<Cart>(active.CartId, cancellationToken);

        // No pointer, or it pointed at a cart checked out in between the two reads: the customer starts a new cart.
        var current = stream?.Aggregate is { IsCurrent: true } existing ? existing : null;
        var opened = current is null ? new CartOpened(Guid.CreateVersion7(), customerId, DateTimeOffset.UtcNow) : null;
        var cart = current ?? Cart.Create(opened!);

        var decision = await decide(new CartAttempt(session, services, cart, current is null, number));
        if ((decision.Refusal?.ToProblem() ?? decision.Answer) is { } answer)
            return new CartWriteResult(current, answer, []);
        if (!precondition.Holds(current))
            return new CartWriteResult(current, Problems.PreconditionFailed(
                "The cart was changed since the version named in If-Match; reload it and try again."), [], Stale: true);
        if (decision.Events.Count == 0)
            return new CartWriteResult(current, null, []);

        if (current is null)
        {
            // Insert, not Store: two first changes racing for one customer cannot open two carts; the loser retries.
            session.Insert(new ActiveCart { Id = customerId, CartId = cart.Id });
            session.Events.StartStream<Cart>(cart.Id, [opened!, .. decision.Events]);
        }
        else
            stream!.AppendMany(decision.Events);
        await session.SaveChangesAsync(cancellationToken);

        var saved = await session.LoadAsync<Cart>(cart.Id, cancellationToken);
        return new CartWriteResult(saved is { IsCurrent: true } ? saved : null, null, decision.Events);
    }

}
