using Marten;
using JasperFx.Events;

namespace Shop.CartService.Carts;

public static class CartStreams
{
    /// <summary>
    /// The customer's open cart, ready for appending with optimistic concurrency. Opens a cart (committing its first
    /// event) when the customer has none: an empty cart is harmless if the change that follows is refused.
    /// </summary>
    public static async Task<IEventStream<Cart>> OpenCart(IDocumentSession session, Guid customerId, CancellationToken cancellationToken)
    {
        var active = await session.LoadAsync<ActiveCart>(customerId, cancellationToken);
        if (active is null)
        {
            var cartId = Guid.CreateVersion7();
            // Insert: two first adds racing for one customer cannot open two carts; the loser gets a 409.
            session.Insert(new ActiveCart { Id = customerId, CartId = cartId });
            session.Events.StartStream<Cart>(cartId, new CartOpened(cartId, customerId, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync(cancellationToken);
            active = new ActiveCart { Id = customerId, CartId = cartId };
        }
        return await session.Events.FetchForWriting<Cart>(active.CartId, cancellationToken);
    }
}
