using System.Net;
using System.Net.Http.Json;
using Shop.Contracts.Inventory;
using Shop.Testing;
using Xunit;

namespace Shop.InventoryService.Tests.Stock;

[Collection(TwoInstancesCollection.Name)]
public sealed class ManagingStockTests(TwoInstances inventory)
{
    [Fact]
    public async Task Admins_add_and_adjust_stock_and_see_every_movement()
    {
        var product = await inventory.CreateProduct(stock: 10);

        using (var added = await inventory.Admin.PostAsJsonAsync($"api/products/{product.Id}/stock", new { quantity = 5 }))
            await ShopApi.EnsureSuccess(added);
        using (var adjusted = await inventory.Admin.PostAsJsonAsync($"api/products/{product.Id}/stock/adjustments",
                   new { quantity = -3, reason = "Damaged in transit" }))
        {
            await ShopApi.EnsureSuccess(adjusted);
            var body = (await adjusted.Content.ReadFromJsonAsync<StockDto>(ShopApi.Json))!;
            Assert.Equal((12, 0, 12), (body.OnHand, body.Reserved, body.Available));
        }

        var stock = await inventory.GetStock(product.Id);
        Assert.Equal(["Adjusted", "Received", "Received"], stock.RecentMovements.Select(m => m.Kind));
        Assert.Equal([-3, 5, 10], stock.RecentMovements.Select(m => m.Quantity));
        Assert.Equal("Damaged in transit", stock.RecentMovements[0].Reason);

        // Another instance serves the same numbers.
        using var secondInstance = inventory.Client(1, inventory.Token("admin"));
        var seenThere = await InventoryCluster.Get<StockDto>(secondInstance, $"api/products/{product.Id}/stock");
        Assert.Equal((12, 0, 12), (seenThere!.OnHand, seenThere.Reserved, seenThere.Available));
    }

    [Fact]
    public async Task Adjusting_down_never_makes_available_negative()
    {
        var product = await inventory.CreateProduct(stock: 10);
        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 4)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);

        using (var tooMuch = await inventory.Admin.PostAsJsonAsync($"api/products/{product.Id}/stock/adjustments",
                   new { quantity = -7, reason = "Stocktake" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
            Assert.Equal("application/problem+json", tooMuch.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Only 6 units are available", await tooMuch.Content.ReadAsStringAsync());
        }
        var unchanged = await inventory.GetStock(product.Id);
        Assert.Equal((10, 4, 6), (unchanged.OnHand, unchanged.Reserved, unchanged.Available));
        Assert.DoesNotContain(unchanged.RecentMovements, m => m.Kind == "Adjusted");

        using (var exactly = await inventory.Admin.PostAsJsonAsync($"api/products/{product.Id}/stock/adjustments",
                   new { quantity = -6, reason = "Stocktake" }))
            await ShopApi.EnsureSuccess(exactly);
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((4, 4, 0), (stock.OnHand, stock.Reserved, stock.Available));

        // The reserved units are still there to be sold.
        await inventory.Send(new CommitStock(order));
        await inventory.Events.WaitFor<StockCommitted>(e => e.OrderId == order);
        var sold = await inventory.GetStock(product.Id);
        Assert.Equal((0, 0, 0, 4), (sold.OnHand, sold.Reserved, sold.Available, sold.Sold));
    }

    [Fact]
    public async Task Bad_stock_requests_get_a_problem_and_change_nothing()
    {
        var product = await inventory.CreateProduct(stock: 3);
        var cases = new (HttpClient Client, string Path, object Body, HttpStatusCode Expected)[]
        {
            (inventory.Admin, $"api/products/{product.Id}/stock", new { quantity = 0 }, HttpStatusCode.BadRequest),
            (inventory.Admin, $"api/products/{product.Id}/stock", new { quantity = -1 }, HttpStatusCode.BadRequest),
            (inventory.Admin, $"api/products/{product.Id}/stock/adjustments", new { quantity = 0, reason = "x" }, HttpStatusCode.BadRequest),
            (inventory.Admin, $"api/products/{product.Id}/stock/adjustments", new { quantity = -1, reason = " " }, HttpStatusCode.BadRequest),
            (inventory.Admin, $"api/products/{product.Id}/stock/adjustments", new { quantity = -1 }, HttpStatusCode.BadRequest),
            (inventory.Admin, $"api/products/{Guid.NewGuid()}/stock", new { quantity = 1 }, HttpStatusCode.NotFound),
            (inventory.Admin, $"api/products/{Guid.NewGuid()}/stock/adjustments", new { quantity = 1, reason = "x" }, HttpStatusCode.NotFound),
            (inventory.Customer, $"api/products/{product.Id}/stock", new { quantity = 1 }, HttpStatusCode.Forbidden),
            (inventory.Anonymous, $"api/products/{product.Id}/stock/adjustments", new { quantity = 1, reason = "x" }, HttpStatusCode.Unauthorized),
        };
        foreach (var (client, path, body, expected) in cases)
        {
            using var response = await client.PostAsJsonAsync(path, body);
            Assert.True(expected == response.StatusCode, $"POST {path} {System.Text.Json.JsonSerializer.Serialize(body)}: {response.StatusCode}");
            if (expected is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using (var customerView = await inventory.Customer.GetAsync($"api/products/{product.Id}/stock"))
            Assert.Equal(HttpStatusCode.Forbidden, customerView.StatusCode);
        using (var unknown = await inventory.Admin.GetAsync($"api/products/{Guid.NewGuid()}/stock"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((3, 0, 3), (stock.OnHand, stock.Reserved, stock.Available));
        Assert.Single(stock.RecentMovements);
    }
}
