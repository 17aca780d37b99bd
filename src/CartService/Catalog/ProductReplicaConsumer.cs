using Marten;
using MassTransit;
using Shop.Messaging.Inbox;
using Shop.Contracts.Catalog;

namespace Shop.CartService.Catalog;

/// <summary>Applies product events to the replica. An event about a product the replica has not seen yet fetches it whole.</summary>
[CallsRemoteServices]
public sealed class ProductReplicaConsumer(IDocumentSession session, InventoryCatalogClient inventory) :
    IConsumer<ProductCreated>, IConsumer<ProductUpdated>, IConsumer<ProductPriceChanged>, IConsumer<ProductDeactivated>, IConsumer<ProductReactivated>
{
    public async Task Consume(ConsumeContext<ProductCreated> context)
    {
        var m = context.Message;
        var existing = await session.LoadAsync<CatalogProduct>(m.ProductId, context.CancellationToken);
        if (existing is not null && existing.ChangedAt >= m.ChangedAt)
            return;
        session.Store(new CatalogProduct
        {
            Id = m.ProductId, Sku = m.Sku, Name = m.Name, Price = m.Price, Currency = m.Currency, Active = true, ChangedAt = m.ChangedAt,
        });
    }

    public Task Consume(ConsumeContext<ProductUpdated> context) =>
        Change(context, context.Message.ProductId, context.Message.ChangedAt, p => p.Name = context.Message.Name);

    public Task Consume(ConsumeContext<ProductPriceChanged> context) =>
        Change(context, context.Message.ProductId, context.Message.ChangedAt, p =>
        {
            p.Price = context.Message.NewPrice;
            p.Currency = context.Message.Currency;
        });

    public Task Consume(ConsumeContext<ProductDeactivated> context) =>
        Change(context, context.Message.ProductId, context.Message.ChangedAt, p => p.Active = false);

    public Task Consume(ConsumeContext<ProductReactivated> context) =>
        Change(context, context.Message.ProductId, context.Message.ChangedAt, p => p.Active = true);

    async Task Change(ConsumeContext context, Guid productId, DateTimeOffset changedAt, Action<CatalogProduct> change)
    {
        var product = await session.LoadAsync<CatalogProduct>(productId, context.CancellationToken);
        if (product is null)
        {
            // Created event lost or still on its way: take the product's current state from its owner instead.
            var current = await inventory.GetProduct(productId, context.CancellationToken);
            if (current is not null)
                session.Store(current);
            return;
        }
        if (product.ChangedAt > changedAt)
            return;
        change(product);
        product.ChangedAt = changedAt;
        session.Store(product);
    }
}
