using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Shop.WebApp.Tests;

/// <summary>The shopper's main path, in the browser, against the real system.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ShopperCheckoutTests(BrowserFixture fixture)
{
    static readonly string[] HappyPath = ["Placed", "Stock reserved", "Payment captured", "Confirmed", "Completed"];

    [Fact]
    public async Task A_shopper_registers_searches_adds_two_products_pays_and_watches_the_order_complete()
    {
        await using var shopper = await fixture.NewShopperAsync();
        await shopper.OpenAsync("/");
        await Expect(shopper.Heading("Catalog")).ToBeVisibleAsync();
        await Expect(shopper.Page.GetByRole(AriaRole.List, new() { Name = "Products" }).GetByRole(AriaRole.Article)).ToHaveCountAsync(12);
        await shopper.ScreenshotAsync("01-catalog");

        await shopper.RegisterAsync("Grace Shopper", $"grace-{Guid.NewGuid():N}@shop.test", "correct horse battery", fixture.Cluster.Mail);

        await shopper.SearchAsync("mug");
        await Expect(shopper.Page.Locator(".result-count")).ToHaveTextAsync("2 products matching “mug”");
        await Expect(shopper.ProductCard("Lambda Mug")).ToBeVisibleAsync();
        await Expect(shopper.ProductCard("Saga Mug")).ToBeVisibleAsync();
        await shopper.ScreenshotAsync("02-catalog-search");

        // First product straight from the search results, the second from its product page with a quantity.
        await shopper.AddFromCatalogAsync("Lambda Mug");
        await shopper.ProductCard("Saga Mug").GetByRole(AriaRole.Link, new() { Name = "Saga Mug" }).ClickAsync();
        await Expect(shopper.Heading("Saga Mug")).ToBeVisibleAsync();
        await shopper.Field("Quantity").FillAsync("2");
        await shopper.Page.GetByRole(AriaRole.Button, new() { Name = "Add Saga Mug to cart" }).ClickAsync();
        await Expect(shopper.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Added Saga Mug to your cart." })).ToBeVisibleAsync();
        await Expect(shopper.Page.Locator(".main-nav .count")).ToHaveTextAsync("3");
        await shopper.ScreenshotAsync("03-product");

        await shopper.GoToCartAsync();
        var lines = shopper.Page.GetByRole(AriaRole.List, new() { Name = "Items in your cart" }).GetByRole(AriaRole.Listitem);
        await Expect(lines).ToHaveCountAsync(2);
        await Expect(shopper.Field("Quantity of Lambda Mug")).ToHaveValueAsync("1");
        await Expect(shopper.Field("Quantity of Saga Mug")).ToHaveValueAsync("2");
        // 12.00 + 2 × 13.50
        await Expect(shopper.Page.GetByTestId("cart-total")).ToHaveTextAsync("€39.00");
        await shopper.ScreenshotAsync("04-cart");

        await shopper.RecordOrderStatusesAsync();
        var orderId = await shopper.CheckoutAsync("Test Visa card — payment succeeds pm_card_visa");
        await Expect(shopper.OrderStatus).ToHaveTextAsync("Completed", new() { Timeout = (float)BrowserFixture.SagaTimeout.TotalMilliseconds });
        await Expect(shopper.Page.GetByTestId("order-outcome")).ToContainTextAsync("Your order is complete");
        await Expect(shopper.Page.GetByTestId("order-total")).ToHaveTextAsync("€39.00");

        // Every step of the saga is in the page's history, and the status only ever moved forward while we watched.
        var history = shopper.Page.GetByRole(AriaRole.List, new() { Name = "Order history" });
        foreach (var step in HappyPath)
            await Expect(history.GetByText(step, new() { Exact = true })).ToBeVisibleAsync();
        var seen = await shopper.RecordedOrderStatusesAsync();
        Assert.Equal("Completed", seen.Last());
        Assert.True(IsInOrder(seen, HappyPath), $"statuses went backwards or were unknown: {string.Join(" -> ", seen)}");
        await shopper.ScreenshotAsync("05-order-completed");

        // The same order in the history, and the cart is empty again.
        await shopper.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Orders" }).ClickAsync();
        var row = shopper.Page.GetByRole(AriaRole.List, new() { Name = "Your orders" }).GetByRole(AriaRole.Listitem);
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync($"Order {orderId.ToString()[..8]}");
        await Expect(row).ToContainTextAsync("Completed");
        await Expect(row).ToContainTextAsync("€39.00");
        await Expect(shopper.Page.Locator(".main-nav .count")).ToHaveCountAsync(0);
        await shopper.ScreenshotAsync("06-orders");

        Assert.Empty(shopper.PageErrors);
    }

    [Fact]
    public async Task A_declined_payment_shows_a_clear_failure_and_the_stock_is_back()
    {
        using var api = fixture.Api();
        var email = await api.SignUpCustomer("Dee Clined");
        await using var shopper = await fixture.NewShopperAsync();
        await shopper.SignInAsync(email, "a long enough password", "Dee Clined");

        await shopper.SearchAsync("keyboard");
        await shopper.ProductCard("Mechanical Keyboard TKL").GetByRole(AriaRole.Link, new() { Name = "Mechanical Keyboard TKL" }).ClickAsync();
        await Expect(shopper.Page.GetByTestId("stock")).ToHaveTextAsync(new Regex(@"^\d+ in stock$"));
        var productUrl = shopper.Page.Url;
        var before = await shopper.StockOnProductPageAsync();

        await shopper.Field("Quantity").FillAsync("2");
        await shopper.Page.GetByRole(AriaRole.Button, new() { Name = "Add Mechanical Keyboard TKL to cart" }).ClickAsync();
        await Expect(shopper.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Added Mechanical Keyboard TKL" })).ToBeVisibleAsync();
        await shopper.GoToCartAsync();
        await shopper.CheckoutAsync("Test card — declined by the bank pm_card_chargeDeclined");

        await Expect(shopper.OrderStatus).ToHaveTextAsync("Failed", new() { Timeout = (float)BrowserFixture.SagaTimeout.TotalMilliseconds });
        var failure = shopper.Page.GetByTestId("order-outcome");
        await Expect(failure).ToHaveAttributeAsync("role", "alert");
        await Expect(failure.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Payment declined");
        // The provider's own reason, then what it means for the shopper.
        await Expect(failure).ToContainTextAsync("Your card was declined.");
        await Expect(failure).ToContainTextAsync("You have not been charged, and the items we had reserved are back in stock.");
        await Expect(shopper.Page.GetByRole(AriaRole.List, new() { Name = "Order history" }).GetByText("Stock reserved", new() { Exact = true })).ToBeVisibleAsync();
        await shopper.ScreenshotAsync("07-order-declined");

        // The reservation is released: the product page (fresh load each time) shows the same stock as before.
        var deadline = DateTime.UtcNow + BrowserFixture.SagaTimeout;
        int after;
        do
        {
            await shopper.Page.GotoAsync(productUrl);
            await Expect(shopper.Page.GetByTestId("stock")).ToBeVisibleAsync();
            after = await shopper.StockOnProductPageAsync();
        } while (after != before && DateTime.UtcNow < deadline && await Pause());
        Assert.Equal(before, after);

        using var admin = await fixture.AdminApiAsync();
        var keyboard = (await admin.Products("?search=Mechanical%20Keyboard")).Items.Single();
        var stock = await admin.GetStock(keyboard.Id);
        Assert.Equal(0, stock.Reserved);
        Assert.Equal(before, stock.Available);

        Assert.Empty(shopper.PageErrors);
    }

    static async Task<bool> Pause()
    {
        await Task.Delay(500);
        return true;
    }

    /// <summary>Whether the statuses appear in the order of the happy path (some may be skipped between two polls).</summary>
    static bool IsInOrder(IEnumerable<string> seen, string[] path)
    {
        var last = -1;
        foreach (var status in seen)
        {
            var index = Array.IndexOf(path, status);
            if (index < last || index < 0)
                return false;
            last = index;
        }
        return true;
    }
}
