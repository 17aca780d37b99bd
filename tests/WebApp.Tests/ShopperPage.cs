using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Shop.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Shop.WebApp.Tests;

/// <summary>One shopper's browser tab, with the steps the tests take in words a shopper would use.</summary>
public sealed partial class ShopperPage : IAsyncDisposable
{
    readonly List<string> _pageErrors = [];

    public ShopperPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        Page.PageError += (_, error) => _pageErrors.Add(error);
    }

    public IPage Page { get; }
    public IBrowserContext Context { get; }

    /// <summary>Uncaught exceptions in the app so far: every test asserts there were none.</summary>
    public IReadOnlyList<string> PageErrors => _pageErrors;

    public ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });
    public ILocator Link(string name) => Page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
    public ILocator Heading(string name) => Page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true });
    public ILocator Field(string label) => Page.GetByLabel(label, new() { Exact = true });
    public ILocator Alert => Page.GetByRole(AriaRole.Alert);
    public ILocator OrderStatus => Page.GetByTestId("order-status");

    public async Task OpenAsync(string path = "/")
    {
        await Page.GotoAsync(path);
        await Expect(Page.Locator("main")).ToBeVisibleAsync();
    }

    /// <summary>
    /// Signs up as a person does: the form, the "check your inbox" step, the link in the email (read from the system's
    /// mail sink) opened in this tab, then sign-in.
    /// </summary>
    public async Task RegisterAsync(string name, string email, string password, MailDevServer mail)
    {
        await OpenAsync("/");
        await Link("Create account").ClickAsync();
        await Expect(Heading("Create an account")).ToBeVisibleAsync();
        await Field("Name").FillAsync(name);
        await Field("Email").FillAsync(email);
        await Field("Password").FillAsync(password);
        await Button("Create account").ClickAsync();
        await Expect(Heading("Check your inbox")).ToBeVisibleAsync();
        await Expect(Page.GetByText(email)).ToBeVisibleAsync();

        var message = await mail.WaitForEmailAsync(email, ShopApi.VerifyEmailKind);
        var link = Regex.Match(message.Text ?? "", @"https?://\S+/verify-email#token=[A-Za-z0-9_-]+").Value;
        Assert.False(string.IsNullOrEmpty(link), $"no verification link in:\n{message.Text}");
        await Page.GotoAsync(link);
        await Expect(Page.GetByText($"Your email address {email} is confirmed.")).ToBeVisibleAsync();
        // The token leaves the address bar once it is read.
        await Expect(Page).ToHaveURLAsync(new Regex("/verify-email$"));
        await Link("Sign in").Last.ClickAsync();
        await Expect(Heading("Sign in")).ToBeVisibleAsync();
        await Field("Email").FillAsync(email);
        await Field("Password").FillAsync(password);
        await Button("Sign in").ClickAsync();
        await ExpectSignedInAsync(name);
    }

    /// <summary>Signs in with the keyboard only: type, Tab to the next field, Enter to submit.</summary>
    public async Task SignInAsync(string email, string password, string expectedName)
    {
        await OpenAsync("/login");
        await Field("Email").FocusAsync();
        await Page.Keyboard.TypeAsync(email);
        await Page.Keyboard.PressAsync("Tab");
        await Expect(Field("Password")).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync(password);
        await Page.Keyboard.PressAsync("Enter");
        await ExpectSignedInAsync(expectedName);
    }

    public async Task ExpectSignedInAsync(string name)
    {
        await Expect(Button("Sign out")).ToBeVisibleAsync();
        await Expect(Page.Locator(".account-name")).ToHaveTextAsync(name);
    }

    public async Task SearchAsync(string term)
    {
        await Field("Search products").FillAsync(term);
        await Field("Search products").PressAsync("Enter");
        await Expect(Page).ToHaveURLAsync(new Regex($"search={Uri.EscapeDataString(term).Replace("%20", "(\\+|%20)")}"));
        await Expect(Page.Locator(".result-count")).ToContainTextAsync($"matching “{term}”");
    }

    public ILocator ProductCard(string name) =>
        Page.GetByRole(AriaRole.List, new() { Name = "Products" }).GetByRole(AriaRole.Article).Filter(new() { Has = Link(name) });

    public async Task AddFromCatalogAsync(string name)
    {
        await ProductCard(name).GetByRole(AriaRole.Button, new() { Name = $"Add {name} to cart" }).ClickAsync();
        await Expect(ProductCard(name).GetByRole(AriaRole.Status)).ToContainTextAsync($"Added {name} to your cart.");
    }

    /// <summary>The number in "N in stock" on a product page.</summary>
    public async Task<int> StockOnProductPageAsync()
    {
        var text = await Page.GetByTestId("stock").TextContentAsync() ?? "";
        var match = StockText().Match(text);
        return match.Success ? int.Parse(match.Groups[1].Value) : throw new InvalidOperationException($"No stock count in '{text}'");
    }

    public async Task GoToCartAsync()
    {
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Cart" }).ClickAsync();
        await Expect(Heading("Your cart")).ToBeVisibleAsync();
    }

    /// <summary>Chooses a simulated test card by its visible label and places the order; returns the order id from the URL.</summary>
    public async Task<Guid> CheckoutAsync(string paymentLabel)
    {
        var method = Page.GetByRole(AriaRole.Radio, new() { Name = paymentLabel });
        await method.CheckAsync();
        await Expect(method).ToBeCheckedAsync();
        await Page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Place order") }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/orders/[0-9a-f-]{36}$"), new() { Timeout = 60_000 });
        return Guid.Parse(Page.Url.Split('/').Last());
    }

    /// <summary>Records every status the order page shows, as it changes, in this document (no reload can hide a step).</summary>
    public Task RecordOrderStatusesAsync() => Page.EvaluateAsync("""
        () => {
          window.__statuses = [];
          const note = () => {
            const el = document.querySelector('[data-testid="order-status"]');
            const text = el && el.textContent;
            if (text && window.__statuses[window.__statuses.length - 1] !== text) window.__statuses.push(text);
          };
          new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
        }
        """);

    public async Task<string[]> RecordedOrderStatusesAsync() => await Page.EvaluateAsync<string[]>("() => window.__statuses");

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png"), FullPage = true });

    /// <summary>True when nothing sticks out sideways: the page fits the (phone) viewport without horizontal scrolling.</summary>
    public async Task<bool> FitsViewportWidthAsync() =>
        await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1");

    public async ValueTask DisposeAsync() => await Context.CloseAsync();

    [GeneratedRegex(@"(\d+) in stock")]
    private static partial Regex StockText();
}
