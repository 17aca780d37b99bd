using System.Net.Http.Json;
using Microsoft.Playwright;
using Shop.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Shop.WebApp.Tests;

[Collection(BrowserCollection.Name)]
public sealed class CartAndCancelTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_cart_flags_a_changed_price_and_a_product_no_longer_sold_and_blocks_checkout()
    {
        using var customer = fixture.Api();
        var email = await customer.SignUpCustomer("Carl Cart");
        var cap = (await customer.Products("?search=Retry%20Cap")).Items.Single();
        var shirt = (await customer.Products("?search=Queue%20T-Shirt")).Items.Single();
        await customer.AddToCart(cap.Id, 2);
        await customer.AddToCart(shirt.Id, 1);

        using var admin = await fixture.AdminApiAsync();
        await UpdateProduct(admin, cap, price: cap.Price + 2m, active: true);
        await UpdateProduct(admin, shirt, price: shirt.Price, active: false);
        try
        {
            await using var shopper = await fixture.NewShopperAsync();
            await shopper.SignInAsync(email, "a long enough password", "Carl Cart");

            // The cart hears about catalog changes through RabbitMQ: reload until it has.
            var capLine = shopper.Page.GetByRole(AriaRole.Article, new() { Name = cap.Name });
            var shirtLine = shopper.Page.GetByRole(AriaRole.Article, new() { Name = shirt.Name });
            var deadline = DateTime.UtcNow + BrowserFixture.SagaTimeout;
            do
            {
                await shopper.OpenAsync("/cart");
                await Expect(capLine).ToBeVisibleAsync();
            } while ((!await capLine.GetByText("Price changed since you added it").IsVisibleAsync() || !await shirtLine.GetByText("No longer sold").IsVisibleAsync())
                     && DateTime.UtcNow < deadline);

            await Expect(capLine.GetByText("Price changed since you added it")).ToBeVisibleAsync();
            await Expect(capLine).ToContainTextAsync("€21.00 each");
            await Expect(shopper.Page.GetByText("Some prices changed since you added the items.")).ToBeVisibleAsync();
            await Expect(shirtLine.GetByText("No longer sold", new() { Exact = true })).ToBeVisibleAsync();
            // Today's prices: 2 × 21.00 + 24.00
            await Expect(shopper.Page.GetByTestId("cart-total")).ToHaveTextAsync("€66.00");
            await Expect(shopper.Alert).ToHaveTextAsync($"No longer sold: {shirt.Name}. Remove it to check out.");
            await Expect(shopper.Page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Place order") })).ToHaveCountAsync(0);
            await shopper.ScreenshotAsync("15-cart-flags");
            Assert.Empty(shopper.PageErrors);
        }
        finally
        {
            await UpdateProduct(admin, cap, price: cap.Price, active: true);
            await UpdateProduct(admin, shirt, price: shirt.Price, active: true);
        }
    }

    [Fact]
    public async Task A_shopper_cancels_a_completed_order_and_sees_it_refunded()
    {
        using var customer = fixture.Api();
        var email = await customer.SignUpCustomer("Cora Cancel");
        var hoodie = (await customer.Products("?search=Event%20Sourcing%20Hoodie")).Items.Single();
        await customer.AddToCart(hoodie.Id, 1);

        await using var shopper = await fixture.NewShopperAsync();
        await shopper.SignInAsync(email, "a long enough password", "Cora Cancel");
        await shopper.GoToCartAsync();
        await shopper.CheckoutAsync("Test Visa card — payment succeeds");
        await Expect(shopper.OrderStatus).ToHaveTextAsync("Completed", new() { Timeout = (float)BrowserFixture.SagaTimeout.TotalMilliseconds });

        await shopper.Button("Cancel order").ClickAsync();
        await Expect(shopper.Page.GetByText("Cancel this order? Your payment will be refunded.")).ToBeVisibleAsync();
        await shopper.Button("Yes, cancel the order").ClickAsync();

        await Expect(shopper.OrderStatus).ToHaveTextAsync("Refunded", new() { Timeout = (float)BrowserFixture.SagaTimeout.TotalMilliseconds });
        await Expect(shopper.Page.GetByTestId("order-outcome")).ToContainTextAsync("your payment has been refunded");
        var history = shopper.Page.GetByRole(AriaRole.List, new() { Name = "Order history" });
        await Expect(history.GetByText("Cancellation requested", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(history.GetByText("Refunded", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(shopper.Button("Cancel order")).ToHaveCountAsync(0);
        await shopper.ScreenshotAsync("16-order-refunded");
        Assert.Empty(shopper.PageErrors);
    }

    static async Task UpdateProduct(ShopApi admin, ShopApi.Product product, decimal price, bool active)
    {
        using var response = await admin.Http.PutAsJsonAsync($"api/products/{product.Id}",
            new { name = product.Name, description = product.Description, price, category = product.Category, imageUrl = (string?)null, active });
        await ShopApi.EnsureSuccess(response);
    }
}
