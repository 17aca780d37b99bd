using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Shop.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Shop.WebApp.Tests;

[Collection(BrowserCollection.Name)]
public sealed class AdminTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_adds_a_product_and_stock_that_a_shopper_then_finds()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var name = $"Circuit Breaker Plush {suffix}";
        var category = $"Toys{suffix}";

        await using var admin = await fixture.NewShopperAsync();
        await admin.SignInAsync(fixture.Cluster.AdminEmail, fixture.Cluster.AdminPassword, "Administrator");
        await admin.Link("Manage products").ClickAsync();
        await Expect(admin.Heading("Manage products")).ToBeVisibleAsync();
        await admin.Link("New product").ClickAsync();

        await admin.Field("SKU").FillAsync($"PLUSH-{suffix}");
        await admin.Field("Name").FillAsync(name);
        await admin.Field("Description").FillAsync("Trips before you do. Soft, washable, 25 cm.");
        await admin.Field("Price").FillAsync("17.50");
        await admin.Field("Category").FillAsync(category);
        await admin.Field("Initial stock").FillAsync("7");
        await admin.Button("Create product").ClickAsync();

        await Expect(admin.Heading(name)).ToBeVisibleAsync();
        await Expect(admin.Page.GetByText("Product created.")).ToBeVisibleAsync();
        await Expect(admin.Page.GetByTestId("stock-on-hand")).ToHaveTextAsync("7");

        await admin.Field("Units to add").FillAsync("5");
        await admin.Button("Add stock").ClickAsync();
        await Expect(admin.Page.GetByText("Added 5 units.")).ToBeVisibleAsync();
        await Expect(admin.Page.GetByTestId("stock-on-hand")).ToHaveTextAsync("12");

        await admin.Field("Price").FillAsync("18");
        await admin.Button("Save changes").ClickAsync();
        await Expect(admin.Page.GetByText("Changes saved.")).ToBeVisibleAsync();
        await admin.ScreenshotAsync("08-admin-product");

        // A shopper, signed out in another browser profile, finds it by search and by its category.
        await using var shopper = await fixture.NewShopperAsync();
        await shopper.OpenAsync("/");
        await shopper.SearchAsync($"plush {suffix}");
        var card = shopper.ProductCard(name);
        await Expect(card).ToBeVisibleAsync();
        await Expect(card).ToContainTextAsync("€18.00");
        await Expect(card).ToContainTextAsync(category);

        await shopper.OpenAsync("/");
        await shopper.Field("Category").SelectOptionAsync(category);
        await Expect(shopper.Page.Locator(".result-count")).ToHaveTextAsync("1 product");
        await Expect(shopper.ProductCard(name)).ToBeVisibleAsync();
        await shopper.ProductCard(name).GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Expect(shopper.Page.GetByTestId("stock")).ToHaveTextAsync("12 in stock");
        await Expect(shopper.Page.GetByText("Trips before you do.")).ToBeVisibleAsync();

        Assert.Empty(admin.PageErrors);
        Assert.Empty(shopper.PageErrors);
    }

    [Fact]
    public async Task An_admin_sees_every_customers_orders_and_an_orders_timeline()
    {
        using var customer = fixture.Api();
        var email = await customer.SignUpCustomer("Olga Orders");
        var product = (await customer.Products("?search=Dotted%20Notebook")).Items.Single();
        await customer.AddToCart(product.Id, 1);
        var paid = await customer.Checkout("pm_card_visa");
        await customer.WaitForOrder(paid, BrowserFixture.SagaTimeout, "Completed");
        await customer.AddToCart(product.Id, 1);
        var declined = await customer.Checkout("pm_card_insufficientFunds");
        await customer.WaitForOrder(declined, BrowserFixture.SagaTimeout, "Failed");

        await using var admin = await fixture.NewShopperAsync();
        await admin.SignInAsync(fixture.Cluster.AdminEmail, fixture.Cluster.AdminPassword, "Administrator");
        await admin.Link("All orders").ClickAsync();
        await Expect(admin.Heading("All orders")).ToBeVisibleAsync();
        var rows = admin.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = email });
        await Expect(rows).ToHaveCountAsync(2);

        // One order per status filter: the count can only be 1 once the filtered list is shown.
        await admin.Field("Status").SelectOptionAsync("Failed");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Failed");
        await admin.Field("Status").SelectOptionAsync("Completed");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Completed");
        await Expect(rows).ToContainTextAsync(paid.ToString()[..8]);
        await admin.ScreenshotAsync("09-admin-orders");

        await rows.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(admin.OrderStatus).ToHaveTextAsync("Completed");
        var history = admin.Page.GetByRole(AriaRole.List, new() { Name = "Order history" });
        foreach (var step in new[] { "Placed", "Stock reserved", "Payment captured", "Confirmed", "Completed" })
            await Expect(history.GetByText(step, new() { Exact = true })).ToBeVisibleAsync();
        await admin.ScreenshotAsync("10-admin-order");

        Assert.Empty(admin.PageErrors);
    }

    [Fact]
    public async Task The_all_orders_endpoint_is_for_admins_only()
    {
        using var customer = fixture.Api();
        await customer.SignUpCustomer();
        using (var refused = await customer.Http.GetAsync("api/orders/all"))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var admin = await fixture.AdminApiAsync();
        using (var invalid = await admin.Http.GetAsync("api/orders/all?status=Lost"))
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        using var page = await admin.Http.GetAsync("api/orders/all?page=1&pageSize=5");
        await ShopApi.EnsureSuccess(page);
        using var json = JsonDocument.Parse(await page.Content.ReadAsStringAsync());
        Assert.Equal(5, json.RootElement.GetProperty("pageSize").GetInt32());
        Assert.True(json.RootElement.GetProperty("items").GetArrayLength() <= 5);
    }
}
