using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.BuildingBlocks.Payments;
using Shop.Contracts;
using Shop.Contracts.Carts;
using Shop.OrderSaga.Checkout;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.Projections;
using Xunit;

namespace Shop.OrderSaga.Tests.Persistence;

/// <summary>
/// Card text that carts passed on before checkout refused it (a CheckoutRequested whose paymentMethod is a card number)
/// is masked where the order kept it: the OrderPlaced event, the order's read model and the saga's state.
/// </summary>
public sealed class PaymentMethodMaskingTests(OrderSagaHostFixture fixture) : IClassFixture<OrderSagaHostFixture>
{
    const string CardText = "4111 1111 1111 1111 12/29 123";
    readonly OrderSagaHost _host = fixture.Host;
    IDocumentStore Store => _host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task An_order_placed_with_card_text_is_masked_in_its_event_read_model_and_saga_and_token_orders_are_untouched()
    {
        var leaked = NewId.NextGuid();
        var fine = NewId.NextGuid();
        // What the old cart published: the saga stores it as it came.
        await _host.Bus.Publish(Checkout(leaked, CardText));
        await _host.Bus.Publish(Checkout(fine, "pm_card_visa"));
        foreach (var orderId in (Guid[])[leaked, fine])
            await OrderSagaHost.Eventually(async () =>
            {
                await using var session = Store.QuerySession();
                return await session.LoadAsync<OrderDetails>(orderId) is not null && await session.LoadAsync<CheckoutState>(orderId) is not null;
            }, "the order placed and projected");
        Assert.True(await RowsContaining("4111 1111") >= 3, "the card text is in the event, the read model and the saga before masking");

        var job = _host.Services.GetRequiredService<PaymentMethodMaskingJob<OrderPlaced>>();
        var result = await job.MaskAsync(CancellationToken.None);
        Assert.Equal(1, result.EventsMasked);

        Assert.Equal(0, await RowsContaining("4111 1111"));
        await using (var session = Store.QuerySession())
        {
            var placed = (await session.Events.FetchStreamAsync(leaked)).Single(e => e.Data is OrderPlaced);
            Assert.Equal(PaymentMethodTokens.Masked, ((OrderPlaced)placed.Data).PaymentMethod);
            Assert.Equal(PaymentMethodTokens.Masked, (await session.LoadAsync<OrderDetails>(leaked))!.Payment.Method);
            Assert.Equal(PaymentMethodTokens.Masked, (await session.LoadAsync<CheckoutState>(leaked))!.PaymentMethod);

            Assert.Equal("pm_card_visa", ((OrderPlaced)(await session.Events.FetchStreamAsync(fine)).Single(e => e.Data is OrderPlaced).Data).PaymentMethod);
            Assert.Equal("pm_card_visa", (await session.LoadAsync<OrderDetails>(fine))!.Payment.Method);
            Assert.Equal("pm_card_visa", (await session.LoadAsync<CheckoutState>(fine))!.PaymentMethod);
        }
        // The order read through the API shows the placeholder, and a second run has nothing left to read.
        Assert.Equal(0, (await job.MaskAsync(CancellationToken.None)).EventsRead);
    }

    static CheckoutRequested Checkout(Guid orderId, string paymentMethod) =>
        new(orderId, NewId.NextGuid(), NewId.NextGuid(), "ada@shop.test", "Ada", [new OrderLine(NewId.NextGuid(), "MUG-1", "Mug", 21m, 2)],
            42m, "EUR", paymentMethod, null, DateTimeOffset.UtcNow);

    async Task<long> RowsContaining(string text)
    {
        await using var connection = new NpgsqlConnection(_host.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'orders' and table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        long rows = 0;
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"select count(*) from orders.\"{table}\" t where t::text like '%' || @text || '%'", connection);
            count.Parameters.AddWithValue("text", text);
            rows += (long)(await count.ExecuteScalarAsync())!;
        }
        return rows;
    }
}
