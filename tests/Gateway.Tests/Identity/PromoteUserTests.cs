using System.Net;
using System.Net.Http.Json;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Identity;

/// <summary>Roles: customers are refused on admin endpoints (gateway and services); an admin promotes a user.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PromoteUserTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;
    readonly IdentityData _data = new(fixture.Cluster);

    record Account(Guid Id, string Email, string Name, List<string> Roles, bool EmailVerified);

    [Fact]
    public async Task A_customer_on_an_admin_endpoint_gets_403_and_changes_nothing()
    {
        using var customer = Visitors.New(_cluster);
        var email = Visitors.NewEmail();
        await customer.RegisterVerified(email, Visitors.Password, "Eve");
        await customer.Login(email, Visitors.Password);
        var me = (await customer.Get<Account>("api/auth/me"))!;
        var product = (await Visitors.WaitForCatalog(customer)).Items[0];
        var sku = $"CUST-{Guid.NewGuid():N}"[..20];
        var name = $"Not allowed {sku}";

        using (var create = await customer.Http.PostAsJsonAsync("api/products",
                   new { sku, name, description = "", price = 1.00m, currency = "EUR", category = "X", stock = 5 }))
            await Visitors.AssertProblem(create, HttpStatusCode.Forbidden);
        using (var restock = await customer.Http.PostAsJsonAsync($"api/products/{product.Id}/stock", new { quantity = 1000 }))
            await Visitors.AssertProblem(restock, HttpStatusCode.Forbidden);
        using (var promoteSelf = await customer.Http.PostAsync($"api/users/{me.Id}/promote", null))
            await Visitors.AssertProblem(promoteSelf, HttpStatusCode.Forbidden);
        using (var lookup = await customer.Http.GetAsync($"api/users?email={Uri.EscapeDataString(_cluster.AdminEmail)}"))
            await Visitors.AssertProblem(lookup, HttpStatusCode.Forbidden);

        Assert.Equal(0, (await customer.Products($"?search={Uri.EscapeDataString(name)}")).Total);
        Assert.Equal(product.Available, (await customer.Get<ShopApi.Product>($"api/products/{product.Id}"))!.Available);
        Assert.Equal(["customer"], await _data.Roles(me.Id));
    }

    [Fact]
    public async Task An_admin_promotes_a_customer_who_gets_admin_rights_with_the_next_refresh()
    {
        using var customer = Visitors.New(_cluster);
        var email = Visitors.NewEmail();
        await customer.RegisterVerified(email, Visitors.Password, "Future Admin");
        var tokens = await customer.Login(email, Visitors.Password);
        var product = (await Visitors.WaitForCatalog(customer)).Items[0];

        using var admin = Visitors.New(_cluster);
        await admin.Login(_cluster.AdminEmail, _cluster.AdminPassword);
        var found = (await admin.Get<Account>($"api/users?email={Uri.EscapeDataString(email.ToUpperInvariant())}"))!;
        Assert.Equal(email, found.Email);
        using (var missing = await admin.Http.GetAsync($"api/users?email={Uri.EscapeDataString(Visitors.NewEmail())}"))
            await Visitors.AssertProblem(missing, HttpStatusCode.NotFound);
        using (var unknown = await admin.Http.PostAsync($"api/users/{Guid.NewGuid()}/promote", null))
            await Visitors.AssertProblem(unknown, HttpStatusCode.NotFound);

        using (var promote = await admin.Http.PostAsync($"api/users/{found.Id}/promote", null))
        {
            await ShopApi.EnsureSuccess(promote);
            Assert.Contains("admin", (await promote.Content.ReadFromJsonAsync<Account>(ShopApi.Json))!.Roles);
        }
        // Promoting twice changes nothing more.
        using (var again = await admin.Http.PostAsync($"api/users/{found.Id}/promote", null))
            Assert.Equal(["customer", "admin"], (await again.Content.ReadFromJsonAsync<Account>(ShopApi.Json))!.Roles);
        Assert.Equal(["customer", "admin"], await _data.Roles(found.Id));

        // The access token issued before the promotion still says customer; the refreshed one says admin.
        using (var stale = await customer.Http.GetAsync($"api/products/{product.Id}/stock"))
            await Visitors.AssertProblem(stale, HttpStatusCode.Forbidden);
        using var refreshed = await customer.Refresh(tokens.RefreshToken);
        await ShopApi.EnsureSuccess(refreshed);
        customer.UseToken((await refreshed.Content.ReadFromJsonAsync<ShopApi.Tokens>(ShopApi.Json))!.AccessToken);
        var stock = await customer.GetStock(product.Id);
        Assert.Equal(product.Id, stock.ProductId);
    }

    [Fact]
    public async Task An_unverified_account_is_not_promoted_until_its_address_is_verified_and_only_admins_verify()
    {
        using var stranger = Visitors.New(_cluster);
        var email = Visitors.NewEmail("unverified");
        using (var registered = await stranger.Register(email, Visitors.Password, "Not Yet"))
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);

        using var admin = Visitors.New(_cluster);
        await admin.Login(_cluster.AdminEmail, _cluster.AdminPassword);
        var found = (await admin.Get<Account>($"api/users?email={Uri.EscapeDataString(email)}"))!;
        Assert.False(found.EmailVerified);
        using (var promote = await admin.Http.PostAsync($"api/users/{found.Id}/promote", null))
            await Visitors.AssertProblem(promote, HttpStatusCode.Conflict);
        Assert.Equal(["customer"], await _data.Roles(found.Id));

        // A customer cannot vouch for an address (not even their own).
        using var customer = Visitors.New(_cluster);
        await customer.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);
        using (var verify = await customer.Http.PostAsync($"api/users/{found.Id}/verify", null))
            await Visitors.AssertProblem(verify, HttpStatusCode.Forbidden);
        Assert.False((await admin.Get<Account>($"api/users?email={Uri.EscapeDataString(email)}"))!.EmailVerified);

        // An admin (support) can; then the account signs in and can be promoted.
        using (var verify = await admin.Http.PostAsync($"api/users/{found.Id}/verify", null))
            Assert.True((await verify.Content.ReadFromJsonAsync<Account>(ShopApi.Json))!.EmailVerified);
        await stranger.Login(email, Visitors.Password);
        using (var promote = await admin.Http.PostAsync($"api/users/{found.Id}/promote", null))
            await ShopApi.EnsureSuccess(promote);
        Assert.Equal(["customer", "admin"], await _data.Roles(found.Id));
    }
}
