using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Identity;

/// <summary>
/// Tokens of the configured external OIDC provider are accepted alongside the gateway's own, linked to a Shop account,
/// and validated strictly: they can neither pass for the gateway's tokens nor be forged with the gateway's key.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ExternalProviderTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;
    readonly FakeOidcProvider _provider = fixture.Oidc;
    readonly IdentityData _data = new(fixture.Cluster);

    record Account(Guid Id, string Email, string Name, List<string> Roles);

    [Fact]
    public async Task A_provider_token_signs_in_a_linked_customer_account_that_the_services_accept()
    {
        var subject = $"ext-{Guid.NewGuid():N}";
        var email = Visitors.NewEmail("external");
        using var api = Visitors.New(_cluster);
        api.UseToken(_provider.Token(subject, email));

        var account = (await api.Get<Account>("api/auth/me"))!;
        Assert.Equal(email, account.Email);
        Assert.Equal(["customer"], account.Roles);

        // Proxied: the services see a gateway token of the linked account.
        Assert.Empty((await api.Get<List<object>>("api/orders"))!);
        var product = (await Visitors.WaitForCatalog(api)).Items[0];
        var cart = await api.AddToCart(product.Id, 1);
        Assert.Equal(product.Id, cart.Items.Single().ProductId);

        // The same subject, with a new token, on the other gateway instance: the same account.
        using var later = Visitors.New(_cluster, gateway: 1);
        later.UseToken(_provider.Token(subject, email));
        Assert.Equal(account.Id, (await later.Get<Account>("api/auth/me"))!.Id);
        Assert.Equal(product.Id, (await later.GetCart()).Items.Single().ProductId);

        // The account has no password and does not take the email away from password sign-up.
        Assert.Equal(0, await _data.AccountsWithEmail(email));
        using var passwordUser = Visitors.New(_cluster);
        using var register = await passwordUser.Register(email, Visitors.Password, "Same person, password account");
        Assert.Equal(HttpStatusCode.Accepted, register.StatusCode);
        Assert.Equal(1, await _data.AccountsWithEmail(email));

        // Another subject of the provider is another account.
        using var stranger = Visitors.New(_cluster);
        stranger.UseToken(_provider.Token($"ext-{Guid.NewGuid():N}"));
        var strangersAccount = (await stranger.Get<Account>("api/auth/me"))!;
        Assert.NotEqual(account.Id, strangersAccount.Id);
        Assert.Empty((await stranger.GetCart()).Items);
    }

    [Fact]
    public async Task Provider_tokens_are_validated_strictly_and_cannot_pass_for_gateway_tokens()
    {
        using var rsa = RSA.Create(2048);
        var gatewayKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_cluster.JwtSigningKey));
        var subject = $"ext-{Guid.NewGuid():N}";
        var forgeries = new Dictionary<string, string>
        {
            ["wrong audience"] = _provider.Token(subject, audience: "someone-else"),
            ["expired"] = _provider.Token(subject, expiresIn: TimeSpan.FromMinutes(-10)),
            ["signed by an unknown key"] = _provider.Token(subject, signingCredentials: new SigningCredentials(
                new RsaSecurityKey(rsa) { KeyId = _provider.SigningKey.KeyId }, SecurityAlgorithms.RsaSha256)),
            // Algorithm confusion: the provider's issuer, but HS256 with the gateway's own key.
            ["provider issuer, HS256 with the gateway's key"] = _provider.Token(subject,
                signingCredentials: new SigningCredentials(gatewayKey, SecurityAlgorithms.HmacSha256)),
            // The provider's key cannot mint tokens in the gateway's name.
            ["gateway issuer, signed by the provider"] = _provider.Token(subject, audience: "shop", issuer: "shop-gateway"),
        };
        foreach (var (flaw, token) in forgeries)
        {
            using var api = Visitors.New(_cluster);
            api.UseToken(token);
            foreach (var path in new[] { "api/auth/me", "api/orders", "api/cart" })
            {
                using var response = await api.Http.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{flaw}: GET {path} answered {(int)response.StatusCode}");
                await Visitors.AssertProblem(response, HttpStatusCode.Unauthorized);
            }
        }

        // None of them linked an account to the subject; a valid token does.
        Assert.Equal(0, await _data.ExternalLogins(subject));
        using var genuine = Visitors.New(_cluster);
        genuine.UseToken(_provider.Token(subject, Visitors.NewEmail("external")));
        await genuine.Get<Account>("api/auth/me");
        Assert.Equal(1, await _data.ExternalLogins(subject));
    }
}
