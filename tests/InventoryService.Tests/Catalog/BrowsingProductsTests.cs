using System.Net;
using System.Text.Json;
using Shop.Testing;
using Xunit;

namespace Shop.InventoryService.Tests.Catalog;

[Collection(TwoInstancesCollection.Name)]
public sealed class BrowsingProductsTests(TwoInstances inventory)
{
    /// <summary>Products of their own category with a marker word no other test uses, created one after another.</summary>
    async Task<(string Marker, string Category, ProductDto[] Products)> CreateCatalog()
    {
        var marker = $"mk{Guid.NewGuid():N}"[..12];
        var category = $"Cat {Guid.NewGuid():N}"[..14];
        var specs = new (string Name, string Description, decimal Price)[]
        {
            ($"Alpha {marker} Lamp", "A lamp.", 30.00m),
            ($"beta {marker.ToUpperInvariant()} mug", "A mug.", 10.50m),
            ("Gamma Kettle", $"Boils water; a {marker} favourite.", 20.00m),
            ("Delta Chair", "Sits well.", 45.00m),
            ("Epsilon Desk", "Works well.", 120.00m),
        };
        var products = new List<ProductDto>();
        foreach (var (name, description, price) in specs)
            products.Add(await inventory.CreateProduct(stock: 3, name: name, description: description, price: price, category: category));
        return (marker, category, products.ToArray());
    }

    async Task<ProductPageDto> List(string query, HttpClient? client = null) =>
        (await InventoryCluster.Get<ProductPageDto>(client ?? inventory.Anonymous, "api/products" + query))!;

    [Fact]
    public async Task Search_is_case_insensitive_over_name_and_description()
    {
        var (marker, category, products) = await CreateCatalog();
        // A product elsewhere in the catalog that also carries the marker.
        var elsewhere = await inventory.CreateProduct(name: $"Zeta {marker}", category: "Elsewhere");

        var lower = await List($"?search={marker}&pageSize=100");
        Assert.Equal(
            new[] { products[0].Id, products[1].Id, products[2].Id, elsewhere.Id }.Order(),
            lower.Items.Select(p => p.Id).Order());
        Assert.Equal(4, lower.Total);
        Assert.True(lower.TotalIsExact);

        var upper = await List($"?search={marker.ToUpperInvariant()}&pageSize=100");
        Assert.Equal(lower.Items.Select(p => p.Id).Order(), upper.Items.Select(p => p.Id).Order());

        var inCategory = await List($"?search={marker}&category={Uri.EscapeDataString(category.ToUpperInvariant())}&pageSize=100");
        Assert.Equal(3, inCategory.Total);
        Assert.All(inCategory.Items, p => Assert.Equal(category, p.Category));
        Assert.All(inCategory.Items, p => Assert.Equal(3, p.Available));
    }

    [Fact]
    public async Task Search_wildcards_are_taken_literally()
    {
        var marker = $"wc{Guid.NewGuid():N}"[..12];
        var percent = await inventory.CreateProduct(name: $"{marker} 50% off tee");
        await inventory.CreateProduct(name: $"{marker} 500 off tee");
        await inventory.CreateProduct(name: $"{marker} a_b tee");
        await inventory.CreateProduct(name: $"{marker} axb tee");

        var found = await List($"?search={Uri.EscapeDataString($"{marker} 50%")}");
        Assert.Equal([percent.Id], found.Items.Select(p => p.Id));
        var underscore = await List($"?search={Uri.EscapeDataString($"{marker} a_b")}");
        Assert.Single(underscore.Items);
    }

    [Fact]
    public async Task Category_and_price_filters_and_every_sort_behave()
    {
        var (_, category, products) = await CreateCatalog();
        var inCategory = $"?category={Uri.EscapeDataString(category.ToLowerInvariant())}&pageSize=100";

        var byName = await List(inCategory);
        Assert.Equal(5, byName.Total);
        Assert.Equal([products[0].Id, products[1].Id, products[3].Id, products[4].Id, products[2].Id], byName.Items.Select(p => p.Id)); // "beta" after "Alpha"
        var byNameDescending = await List(inCategory + "&sort=-name");
        Assert.Equal(byName.Items.Select(p => p.Id).Reverse(), byNameDescending.Items.Select(p => p.Id));

        var byPrice = await List(inCategory + "&sort=price");
        Assert.Equal([10.50m, 20.00m, 30.00m, 45.00m, 120.00m], byPrice.Items.Select(p => p.Price));
        var byPriceDescending = await List(inCategory + "&sort=-price");
        Assert.Equal([120.00m, 45.00m, 30.00m, 20.00m, 10.50m], byPriceDescending.Items.Select(p => p.Price));

        var newest = await List(inCategory + "&sort=newest");
        Assert.Equal(products.Select(p => p.Id).Reverse(), newest.Items.Select(p => p.Id));

        var priceRange = await List(inCategory + "&minPrice=20&maxPrice=45&sort=price");
        Assert.Equal([20.00m, 30.00m, 45.00m], priceRange.Items.Select(p => p.Price)); // both bounds inclusive
        Assert.Equal(3, priceRange.Total);
        Assert.Equal([120.00m], (await List(inCategory + "&minPrice=100")).Items.Select(p => p.Price));
    }

    [Fact]
    public async Task Pages_cover_the_matches_exactly_once()
    {
        var (_, category, _) = await CreateCatalog();
        var query = $"?category={Uri.EscapeDataString(category)}&sort=price&pageSize=2";

        var pages = new List<ProductPageDto>();
        for (var page = 1; page <= 4; page++)
            pages.Add(await List($"{query}&page={page}"));

        Assert.All(pages, p => Assert.Equal(5, p.Total));
        Assert.Equal([2, 2, 1, 0], pages.Select(p => p.Items.Count));
        Assert.Equal([1, 2, 3, 4], pages.Select(p => p.Page));
        Assert.All(pages, p => Assert.Equal(2, p.PageSize));
        var all = await List($"?category={Uri.EscapeDataString(category)}&sort=price&pageSize=100");
        Assert.Equal(all.Items.Select(p => p.Id), pages.SelectMany(p => p.Items).Select(p => p.Id));
    }

    [Fact]
    public async Task Deactivated_products_leave_the_public_list_but_admins_can_still_list_them()
    {
        var (_, category, products) = await CreateCatalog();
        (await inventory.Admin.PostAsync($"api/products/{products[3].Id}/deactivate", null)).EnsureSuccessStatusCode();
        var inCategory = $"?category={Uri.EscapeDataString(category)}&pageSize=100";

        var page = await List(inCategory);
        Assert.Equal(4, page.Total);
        Assert.DoesNotContain(page.Items, p => p.Id == products[3].Id);

        var adminPage = await List(inCategory + "&includeInactive=true", inventory.Admin);
        Assert.Equal(5, adminPage.Total);
        Assert.False(adminPage.Items.Single(p => p.Id == products[3].Id).Active);

        using var customer = await inventory.Customer.GetAsync("api/products" + inCategory + "&includeInactive=true");
        Assert.Equal(HttpStatusCode.Forbidden, customer.StatusCode);
        Assert.Equal("application/problem+json", customer.Content.Headers.ContentType?.MediaType);

        // Its own page is gone for everyone but admins (carts and orders keep their own copy of its name and price).
        foreach (var client in new[] { inventory.Anonymous, inventory.Customer })
        {
            using var hidden = await client.GetAsync($"api/products/{products[3].Id}");
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }
        var single = await InventoryCluster.Get<ProductDto>(inventory.Admin, $"api/products/{products[3].Id}");
        Assert.False(single!.Active);
    }

    [Theory]
    [InlineData("?pageSize=10000", "pageSize")]
    [InlineData("?pageSize=0", "pageSize")]
    [InlineData("?page=0", "page")]
    [InlineData("?page=100000000", "page")]
    [InlineData("?sort=popularity", "sort")]
    [InlineData("?sort=price;drop%20table", "sort")]
    [InlineData("?minPrice=50&maxPrice=10", "minPrice")]
    [InlineData("?minPrice=-1", "minPrice")]
    [InlineData("?search=ab", "search")]
    public async Task Bad_list_requests_get_a_validation_problem(string query, string field)
    {
        using var response = await inventory.Anonymous.GetAsync("api/products" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.ToString());
    }

    [Theory]
    [InlineData("?page=abc")]
    [InlineData("?minPrice=cheap")]
    [InlineData("?includeInactive=maybe")]
    public async Task Unreadable_list_parameters_get_a_bad_request(string query)
    {
        using var response = await inventory.Anonymous.GetAsync("api/products" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_product_is_not_found()
    {
        using var response = await inventory.Anonymous.GetAsync($"api/products/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
