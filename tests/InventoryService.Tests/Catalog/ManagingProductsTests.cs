using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.Contracts.Catalog;
using Shop.Contracts.Inventory;
using Shop.Testing;
using Xunit;

namespace Shop.InventoryService.Tests.Catalog;

[Collection(TwoInstancesCollection.Name)]
public sealed class ManagingProductsTests(TwoInstances inventory)
{
    static object NewProduct(string sku, decimal price = 12.50m, string name = "Managed product") => new
    {
        sku, name, description = "Managed by a test.", price, currency = "EUR", category = "Tests", imageUrl = "https://img.example/p.png", stock = 4,
    };

    static object Edit(decimal price, string name = "Managed product", bool? active = null) => new
    {
        name, description = "Managed by a test.", price, category = "Tests", imageUrl = "https://img.example/p.png", active,
    };

    [Fact]
    public async Task Creating_a_product_stores_it_with_its_stock_and_announces_it()
    {
        var sku = InventoryCluster.NewSku().ToLowerInvariant();
        using var response = await inventory.Admin.PostAsJsonAsync("api/products", NewProduct(sku));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var product = (await response.Content.ReadFromJsonAsync<ProductDto>(ShopApi.Json))!;
        Assert.Equal($"/api/products/{product.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal((sku.ToUpperInvariant(), 12.50m, "EUR", true, 4), (product.Sku, product.Price, product.Currency, product.Active, product.Available));

        var created = await inventory.Events.WaitFor<ProductCreated>(e => e.ProductId == product.Id);
        Assert.Equal((product.Sku, product.Name, 12.50m), (created.Sku, created.Name, created.Price));
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((4, 0, 4), (stock.OnHand, stock.Reserved, stock.Available));
        Assert.Equal(product, await InventoryCluster.Get<ProductDto>(inventory.Anonymous, $"api/products/{product.Id}"));
    }

    [Fact]
    public async Task Updating_a_product_publishes_what_changed_and_keeps_its_active_state_unless_told()
    {
        var product = await inventory.CreateProduct();
        using (var deactivated = await inventory.Admin.PostAsync($"api/products/{product.Id}/deactivate", null))
            await ShopApi.EnsureSuccess(deactivated);

        using (var edited = await inventory.Admin.PutAsJsonAsync($"api/products/{product.Id}", Edit(15.00m, "Renamed product")))
        {
            await ShopApi.EnsureSuccess(edited);
            var body = (await edited.Content.ReadFromJsonAsync<ProductDto>(ShopApi.Json))!;
            Assert.Equal((15.00m, "Renamed product", false), (body.Price, body.Name, body.Active)); // still inactive
        }
        var priceChanged = await inventory.Events.WaitFor<ProductPriceChanged>(e => e.ProductId == product.Id);
        Assert.Equal((9.90m, 15.00m, "EUR"), (priceChanged.OldPrice, priceChanged.NewPrice, priceChanged.Currency));
        Assert.Equal("Renamed product", (await inventory.Events.WaitFor<ProductUpdated>(e => e.ProductId == product.Id)).Name);

        using (var reactivated = await inventory.Admin.PutAsJsonAsync($"api/products/{product.Id}", Edit(15.00m, "Renamed product", active: true)))
            Assert.True((await reactivated.Content.ReadFromJsonAsync<ProductDto>(ShopApi.Json))!.Active);
        await inventory.Events.WaitFor<ProductReactivated>(e => e.ProductId == product.Id);
        Assert.Single(inventory.Events.Of<ProductPriceChanged>(e => e.ProductId == product.Id));
    }

    [Fact]
    public async Task Deactivating_hides_a_product_refuses_new_reservations_and_is_idempotent()
    {
        var product = await inventory.CreateProduct(stock: 5);
        for (var i = 0; i < 2; i++)
        {
            using var response = await inventory.Admin.PostAsync($"api/products/{product.Id}/deactivate", null);
            await ShopApi.EnsureSuccess(response);
            Assert.False((await response.Content.ReadFromJsonAsync<ProductDto>(ShopApi.Json))!.Active);
        }
        await inventory.Events.WaitFor<ProductDeactivated>(e => e.ProductId == product.Id);

        // No longer sold: anonymous visitors and customers get the 404 of a missing product; admins still see it.
        foreach (var client in new[] { inventory.Anonymous, inventory.Customer })
        {
            using var hidden = await client.GetAsync($"api/products/{product.Id}");
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            Assert.Equal("application/problem+json", hidden.Content.Headers.ContentType?.MediaType);
        }
        Assert.False((await InventoryCluster.Get<ProductDto>(inventory.Admin, $"api/products/{product.Id}"))!.Active);

        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 1)]));
        Assert.Equal([product.Id], (await inventory.Events.WaitFor<StockReservationFailed>(e => e.OrderId == order)).UnavailableProductIds);

        using (var reactivated = await inventory.Admin.PostAsync($"api/products/{product.Id}/reactivate", null))
            await ShopApi.EnsureSuccess(reactivated);
        await inventory.Events.WaitFor<ProductReactivated>(e => e.ProductId == product.Id);
        Assert.Single(inventory.Events.Of<ProductDeactivated>(e => e.ProductId == product.Id)); // the second call published nothing
        Assert.True((await InventoryCluster.Get<ProductDto>(inventory.Anonymous, $"api/products/{product.Id}"))!.Active);

        var next = Guid.NewGuid();
        await inventory.Send(new ReserveStock(next, [new StockLine(product.Id, 1)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == next);
    }

    [Fact]
    public async Task A_duplicate_sku_is_a_conflict_even_when_created_at_the_same_time()
    {
        var sku = InventoryCluster.NewSku();
        using (var first = await inventory.Admin.PostAsJsonAsync("api/products", NewProduct(sku)))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using (var again = await inventory.Admin.PostAsJsonAsync("api/products", NewProduct(sku.ToLowerInvariant())))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
            Assert.Contains(sku, await again.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        // Racing creations of one new SKU on both instances: one wins, the others are told it exists.
        var racedSku = InventoryCluster.NewSku();
        var clients = Enumerable.Range(0, 6).Select(i => inventory.Client(i % 2, inventory.Token("admin"))).ToList();
        var responses = await Task.WhenAll(clients.Select(c => c.PostAsJsonAsync("api/products", NewProduct(racedSku, name: $"Raced {racedSku}"))));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var listed = await InventoryCluster.Get<ProductPageDto>(inventory.Admin, $"api/products?search={racedSku}");
        foreach (var response in responses)
            response.Dispose();
        clients.ForEach(c => c.Dispose());
        Assert.Single(listed!.Items, p => p.Sku == racedSku);
    }

    [Theory]
    [InlineData("""{"sku":"{sku}","name":"X","price":-1,"currency":"EUR","category":"C","stock":1}""", "Price")]
    [InlineData("""{"sku":"{sku}","name":"X","price":0,"currency":"EUR","category":"C","stock":1}""", "Price")]
    [InlineData("""{"sku":"{sku}","name":"","price":1,"currency":"EUR","category":"C","stock":1}""", "Name")]
    [InlineData("""{"sku":"{sku} x","name":"X","price":1,"currency":"EUR","category":"C","stock":1}""", "Sku")]
    [InlineData("""{"sku":"{sku}","name":"X","price":1,"currency":"euro","category":"C","stock":1}""", "Currency")]
    [InlineData("""{"sku":"{sku}","name":"X","price":1,"currency":"EUR","category":"C","stock":-5}""", "Stock")]
    [InlineData("""{"sku":"{sku}","name":"X","price":1,"currency":"EUR","category":"C","imageUrl":"not a url","stock":1}""", "ImageUrl")]
    public async Task Invalid_products_get_a_validation_problem_and_nothing_is_created(string template, string field)
    {
        var sku = InventoryCluster.NewSku();
        using var response = await inventory.Admin.PostAsync("api/products",
            new StringContent(template.Replace("{sku}", sku), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.EnumerateObject().Any(e => e.Name.Equals(field, StringComparison.OrdinalIgnoreCase)), problem.RootElement.ToString());

        // The SKU is still free: the refused request stored nothing.
        using var valid = await inventory.Admin.PostAsJsonAsync("api/products", NewProduct(sku));
        Assert.Equal(HttpStatusCode.Created, valid.StatusCode);
    }

    [Fact]
    public async Task Bad_product_requests_get_the_right_problem()
    {
        var product = await inventory.CreateProduct();
        using (var negative = await inventory.Admin.PutAsJsonAsync($"api/products/{product.Id}", Edit(-3m)))
            Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        using (var unknown = await inventory.Admin.PutAsJsonAsync($"api/products/{Guid.NewGuid()}", Edit(3m)))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var unknownDeactivate = await inventory.Admin.PostAsync($"api/products/{Guid.NewGuid()}/deactivate", null))
            Assert.Equal(HttpStatusCode.NotFound, unknownDeactivate.StatusCode);
        using (var malformed = await inventory.Admin.PostAsync("api/products", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using (var anonymous = await inventory.Anonymous.PostAsJsonAsync("api/products", NewProduct(InventoryCluster.NewSku())))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var customer = await inventory.Customer.PostAsJsonAsync("api/products", NewProduct(InventoryCluster.NewSku())))
            Assert.Equal(HttpStatusCode.Forbidden, customer.StatusCode);
        using (var customerDeactivate = await inventory.Customer.PostAsync($"api/products/{product.Id}/deactivate", null))
            Assert.Equal(HttpStatusCode.Forbidden, customerDeactivate.StatusCode);

        var unchanged = await InventoryCluster.Get<ProductDto>(inventory.Anonymous, $"api/products/{product.Id}");
        Assert.Equal(product, unchanged);
    }
}
