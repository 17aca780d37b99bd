using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Shop.WebApp.Tests;

/// <summary>The order lifecycle after checkout in the browser: an admin ships, the customer returns, the admin receives.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ShipAndReturnTests(BrowserFixture fixture)
{
    static readonly LocatorAssertionsToHaveTextOptions Saga = new() { Timeout = (float)BrowserFixture.SagaTimeout.TotalMilliseconds };

    [Fact]
    public async Task An_admin_ships_the_customer_returns_and_the_refund_follows_the_goods()
    {
        using var customer = fixture.Api();
        var email = await customer.SignUpCustomer("Rita Return");
        var mug = (await customer.Products("?search=Saga%20Mug")).Items.Single();
        await customer.AddToCart(mug.Id, 1);
        var orderId = await customer.Checkout("pm_card_visa");
        await customer.WaitForOrder(orderId, BrowserFixture.SagaTimeout, "Completed");

        await using var admin = await fixture.NewShopperAsync();
        await admin.SignInAsync(fixture.Cluster.AdminEmail, fixture.Cluster.AdminPassword, "Administrator");
        await admin.OpenAsync($"/admin/orders/{orderId}");
        await Expect(admin.OrderStatus).ToHaveTextAsync("Completed");
        await admin.Field("Tracking reference (optional)").FillAsync("DHL-123456");
        await admin.Button("Mark as shipped").ClickAsync();
        await Expect(admin.OrderStatus).ToHaveTextAsync("Shipped", Saga);
        await Expect(admin.Button("Mark as shipped")).ToHaveCountAsync(0);

        await using var shopper = await fixture.NewShopperAsync();
        await shopper.SignInAsync(email, "a long enough password", "Rita Return");
        await shopper.OpenAsync($"/orders/{orderId}");
        await Expect(shopper.OrderStatus).ToHaveTextAsync("Shipped");
        await Expect(shopper.Page.GetByTestId("order-outcome")).ToContainTextAsync("Tracking reference: DHL-123456");
        await Expect(shopper.Button("Cancel order")).ToHaveCountAsync(0);
        await shopper.Field("Reason for the return (optional)").FillAsync("Wrong colour");
        await shopper.Button("Return the order").ClickAsync();
        await Expect(shopper.OrderStatus).ToHaveTextAsync("Return requested", Saga);
        await Expect(shopper.Page.GetByTestId("order-outcome")).ToContainTextAsync("We refund your payment as soon as they arrive.");
        await shopper.ScreenshotAsync("17-return-requested");

        await admin.OpenAsync($"/admin/orders/{orderId}");
        await Expect(admin.OrderStatus).ToHaveTextAsync("Return requested");
        await admin.Button("Record returned goods received").ClickAsync();
        await Expect(admin.OrderStatus).ToHaveTextAsync("Refunded", Saga);

        await shopper.OpenAsync($"/orders/{orderId}");
        await Expect(shopper.OrderStatus).ToHaveTextAsync("Refunded");
        await Expect(shopper.Page.GetByTestId("order-outcome")).ToContainTextAsync("We received the items you sent back");
        await Expect(shopper.Button("Return the order")).ToHaveCountAsync(0);
        Assert.Empty(admin.PageErrors);
        Assert.Empty(shopper.PageErrors);
    }
}
