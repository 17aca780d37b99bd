using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Shop.WebApp.Tests;

/// <summary>Sign-up and sign-in errors in words, silent token refresh, sign-out, deep links and the phone layout.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountAndLayoutTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Registration_and_sign_in_problems_are_shown_in_words_next_to_the_fields()
    {
        await using var shopper = await fixture.NewShopperAsync();
        var email = $"taken-{Guid.NewGuid():N}@shop.test";

        await shopper.OpenAsync("/register");
        await shopper.Field("Name").FillAsync("Shorty");
        await shopper.Field("Email").FillAsync(email);
        await shopper.Field("Password").FillAsync("short");
        await shopper.Button("Create account").ClickAsync();
        // The gateway's validation ProblemDetails, under the field it is about and announced with it.
        await Expect(shopper.Field("Password")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(shopper.Page.Locator(".field-error")).ToHaveTextAsync(new Regex("^The password needs at least 8 characters"));
        await Expect(shopper.Field("Password")).ToHaveAccessibleDescriptionAsync(new Regex("The password needs at least 8 characters"));
        await shopper.Field("Password").FillAsync("password2024");
        await shopper.Button("Create account").ClickAsync();
        await Expect(shopper.Page.Locator(".field-error")).ToHaveTextAsync(new Regex("most common passwords"));
        await shopper.ScreenshotAsync("11-register-error");

        // An address that already has an account: the page says what it says for a new one; the owner gets an email.
        using (var api = fixture.Api())
            await api.RegisterVerified(email, "a long enough password", "Already There");
        await shopper.Field("Password").FillAsync("long enough password");
        await shopper.Button("Create account").ClickAsync();
        await Expect(shopper.Heading("Check your inbox")).ToBeVisibleAsync();
        await fixture.Cluster.Mail.WaitForEmailAsync(email, "already-registered");
        await shopper.ScreenshotAsync("15-check-your-inbox");

        await shopper.OpenAsync("/login");
        await shopper.Field("Email").FillAsync(email);
        await shopper.Field("Password").FillAsync("not the password");
        await shopper.Field("Password").PressAsync("Enter");
        await Expect(shopper.Alert).ToContainTextAsync("The email or password is incorrect");

        Assert.Empty(shopper.PageErrors);
    }

    [Fact]
    public async Task A_new_account_can_ask_for_the_link_again_and_a_used_link_says_so()
    {
        await using var shopper = await fixture.NewShopperAsync();
        var email = $"again-{Guid.NewGuid():N}@shop.test";
        await shopper.OpenAsync("/register");
        await shopper.Field("Name").FillAsync("Agnes Again");
        await shopper.Field("Email").FillAsync(email);
        await shopper.Field("Password").FillAsync("a long enough password");
        await shopper.Button("Create account").ClickAsync();
        await Expect(shopper.Heading("Check your inbox")).ToBeVisibleAsync();

        await shopper.Button("Send the link again").ClickAsync();
        await Expect(shopper.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Check your inbox" })).ToBeVisibleAsync();
        var second = await fixture.Cluster.Mail.WaitForEmailAsync(email, Testing.ShopApi.VerifyEmailKind, count: 2);
        var token = Testing.MailDevServer.VerificationToken(second);

        // Signing in before the address is confirmed fails like a wrong password.
        await shopper.OpenAsync("/login");
        await shopper.Field("Email").FillAsync(email);
        await shopper.Field("Password").FillAsync("a long enough password");
        await shopper.Button("Sign in").ClickAsync();
        await Expect(shopper.Alert).ToContainTextAsync("not confirmed yet");

        await shopper.Page.GotoAsync($"/verify-email#token={token}");
        await Expect(shopper.Page.GetByText($"Your email address {email} is confirmed.")).ToBeVisibleAsync();
        await shopper.ScreenshotAsync("16-email-confirmed");
        // The same link a second time (opened again from the email, in another tab) is spent.
        await shopper.OpenAsync("/");
        await shopper.Page.GotoAsync($"/verify-email#token={token}");
        await Expect(shopper.Alert).ToContainTextAsync("invalid, expired or already used");
        await shopper.SignInAsync(email, "a long enough password", "Agnes Again");

        Assert.Empty(shopper.PageErrors);
    }

    [Fact]
    public async Task A_refused_access_token_is_renewed_silently_and_sign_out_revokes_the_session()
    {
        using var api = fixture.Api();
        var email = await api.SignUpCustomer("Rita Refresh");
        await using var shopper = await fixture.NewShopperAsync();
        await shopper.SignInAsync(email, "a long enough password", "Rita Refresh");
        var before = await StoredSessionAsync(shopper.Page);

        // The gateway refuses the first cart request as if the access token had expired.
        var refused = 0;
        await shopper.Page.RouteAsync("**/api/cart", async route =>
        {
            if (Interlocked.Increment(ref refused) == 1)
                await route.FulfillAsync(new() { Status = 401, ContentType = "application/problem+json", Body = """{"title":"Unauthorized","status":401}""" });
            else
                await route.ContinueAsync();
        });
        var refresh = shopper.Page.WaitForResponseAsync(r => r.Url.EndsWith("/api/auth/refresh"));
        await shopper.GoToCartAsync();
        Assert.Equal(200, (await refresh).Status);
        await Expect(shopper.Page.GetByText("Your cart is empty.")).ToBeVisibleAsync();
        await shopper.ExpectSignedInAsync("Rita Refresh");
        var after = await StoredSessionAsync(shopper.Page);
        Assert.NotEqual(before.GetProperty("refreshToken").GetString(), after.GetProperty("refreshToken").GetString());
        Assert.True(refused >= 2, "the cart request was not retried after the refresh");

        await shopper.Button("Sign out").ClickAsync();
        await Expect(shopper.Link("Sign in")).ToBeVisibleAsync();
        await shopper.OpenAsync("/cart");
        await Expect(shopper.Page).ToHaveURLAsync(new Regex("/login\\?next=%2Fcart$"));
        // The server revoked the rotated refresh token too: the session cannot be revived.
        using var revived = await api.Http.PostAsJsonAsync("api/auth/refresh", new { refreshToken = after.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.Unauthorized, revived.StatusCode);

        Assert.Empty(shopper.PageErrors);
    }

    [Fact]
    public async Task A_deep_link_survives_sign_in_and_a_reload()
    {
        using var api = fixture.Api();
        var email = await api.SignUpCustomer("Lena Link");
        await using var shopper = await fixture.NewShopperAsync();

        await shopper.OpenAsync("/orders");
        await Expect(shopper.Page).ToHaveURLAsync(new Regex("/login\\?next=%2Forders$"));
        await shopper.Field("Email").FillAsync(email);
        await shopper.Field("Password").FillAsync("a long enough password");
        await shopper.Button("Sign in").ClickAsync();
        await Expect(shopper.Page).ToHaveURLAsync(new Regex("/orders$"));
        await Expect(shopper.Page.GetByText("You have not placed any orders yet.")).ToBeVisibleAsync();

        // A reload asks the gateway for /orders itself: it answers with the app, which restores the session.
        await shopper.Page.ReloadAsync();
        await Expect(shopper.Heading("Your orders")).ToBeVisibleAsync();
        await shopper.ExpectSignedInAsync("Lena Link");

        await shopper.OpenAsync($"/orders/{Guid.NewGuid()}");
        await Expect(shopper.Page.GetByText("This order was not found.")).ToBeVisibleAsync();
        await shopper.OpenAsync("/no/such/page");
        await Expect(shopper.Page.GetByText("This page does not exist.")).ToBeVisibleAsync();

        Assert.Empty(shopper.PageErrors);
    }

    [Fact]
    public async Task On_a_phone_the_pages_fit_the_screen_and_checkout_works()
    {
        using var api = fixture.Api();
        var email = await api.SignUpCustomer("Pia Phone");
        await using var phone = await fixture.NewShopperAsync(phone: true);

        await phone.OpenAsync("/");
        await Expect(phone.Page.GetByRole(AriaRole.List, new() { Name = "Products" }).GetByRole(AriaRole.Article).First).ToBeVisibleAsync();
        Assert.True(await phone.FitsViewportWidthAsync(), "the catalog scrolls sideways on a phone");
        await phone.ScreenshotAsync("12-phone-catalog");

        await phone.SignInAsync(email, "a long enough password", "Pia Phone");
        await phone.SearchAsync("sticker");
        await phone.AddFromCatalogAsync("Developer Sticker Pack");
        await phone.GoToCartAsync();
        Assert.True(await phone.FitsViewportWidthAsync(), "the cart scrolls sideways on a phone");
        await phone.ScreenshotAsync("13-phone-cart");

        await phone.CheckoutAsync("Test Visa card — payment succeeds");
        await Expect(phone.OrderStatus).ToHaveTextAsync("Completed", new() { Timeout = (float)BrowserFixture.SagaTimeout.TotalMilliseconds });
        Assert.True(await phone.FitsViewportWidthAsync(), "the order page scrolls sideways on a phone");
        await phone.ScreenshotAsync("14-phone-order");

        Assert.Empty(phone.PageErrors);
    }

    static async Task<JsonElement> StoredSessionAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string?>("() => localStorage.getItem('shop.session')");
        Assert.False(string.IsNullOrEmpty(json), "no session in localStorage");
        return JsonDocument.Parse(json!).RootElement.Clone();
    }
}

