using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Identity;

/// <summary>
/// Forged and stale tokens, crafted with the cluster's signing key where that matters, are refused with 401 by the gateway
/// and by the services behind it, and change nothing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TokenValidationTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;

    record Account(Guid Id, string Email, string Name, List<string> Roles);

    [Fact]
    public async Task A_tampered_signature_alg_none_an_expired_token_and_a_wrong_audience_get_401_everywhere_and_change_nothing()
    {
        using var customer = Visitors.New(_cluster);
        var email = Visitors.NewEmail();
        await customer.RegisterVerified(email, Visitors.Password, "Mallory");
        var tokens = await customer.Login(email, Visitors.Password);
        var me = (await customer.Get<Account>("api/auth/me"))!;
        var product = (await Visitors.WaitForCatalog(customer)).Items[0];
        var productsBefore = (await customer.Products()).Total;

        // Control: a token crafted exactly like the gateway's is accepted, so each refusal below is for the one flaw it has.
        var control = Craft(me, _ => { });
        await AssertAccepted(control);

        var forgeries = new Dictionary<string, string>
        {
            ["tampered signature"] = TamperSignature(tokens.AccessToken),
            ["tampered payload (admin role added)"] = AddAdminRoleKeepingSignature(tokens.AccessToken),
            ["alg: none"] = Unsigned(me),
            ["expired"] = Craft(me, d => { d.NotBefore = DateTime.UtcNow.AddMinutes(-30); d.IssuedAt = d.NotBefore; d.Expires = DateTime.UtcNow.AddMinutes(-10); }),
            ["wrong audience"] = Craft(me, d => d.Audience = "another-application"),
            ["wrong issuer"] = Craft(me, d => d.Issuer = "https://issuer.example"),
            ["signed with another key"] = Craft(me, d => d.SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(48)), SecurityAlgorithms.HmacSha256)),
        };
        foreach (var (flaw, token) in forgeries)
        {
            using var forger = Visitors.New(_cluster);
            forger.UseToken(token);
            await AssertUnauthorized(flaw, await forger.Http.GetAsync("api/auth/me"));
            await AssertUnauthorized(flaw, await forger.Http.GetAsync("api/orders"));
            await AssertUnauthorized(flaw, await forger.Http.PostAsJsonAsync("api/cart/items", new { productId = product.Id, quantity = 1 }));
            await AssertUnauthorized(flaw, await forger.Http.PostAsJsonAsync("api/products", NewProduct()));
            await AssertUnauthorized(flaw, await forger.Http.PostAsync($"api/users/{me.Id}/promote", null));
        }

        Assert.Empty((await customer.GetCart()).Items);
        Assert.Equal(productsBefore, (await customer.Products()).Total);
        Assert.Equal(["customer"], (await customer.Get<Account>("api/auth/me"))!.Roles);
    }

    async Task AssertAccepted(string token)
    {
        using var api = Visitors.New(_cluster);
        api.UseToken(token);
        using var me = await api.Http.GetAsync("api/auth/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var orders = await api.Http.GetAsync("api/orders");
        Assert.Equal(HttpStatusCode.OK, orders.StatusCode);
    }

    static async Task AssertUnauthorized(string flaw, HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized,
                $"{flaw}: {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
            await Visitors.AssertProblem(response, HttpStatusCode.Unauthorized);
            // The challenge names the scheme and nothing else: no error, no description of which check failed.
            Assert.Equal(["Bearer"], response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        }
    }

    string Craft(Account account, Action<SecurityTokenDescriptor> flaw)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = "shop-gateway",
            Audience = "shop",
            Subject = new ClaimsIdentity([
                new Claim("sub", account.Id.ToString()), new Claim("email", account.Email), new Claim("name", account.Name),
                new Claim("role", "customer"),
            ]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_cluster.JwtSigningKey)), SecurityAlgorithms.HmacSha256),
        };
        flaw(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    static string TamperSignature(string token)
    {
        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();
        var middle = signature.Length / 2;
        signature[middle] = signature[middle] == 'A' ? 'B' : 'A';
        return $"{parts[0]}.{parts[1]}.{new string(signature)}";
    }

    static string AddAdminRoleKeepingSignature(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["role"] = new JsonArray("customer", "admin");
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }

    static string Unsigned(Account account)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(new JsonObject
        {
            ["sub"] = account.Id.ToString(), ["email"] = account.Email, ["name"] = account.Name, ["role"] = new JsonArray("customer", "admin"),
            ["iss"] = "shop-gateway", ["aud"] = "shop", ["iat"] = now, ["nbf"] = now, ["exp"] = now + 600,
        }.ToJsonString());
        return $"{header}.{payload}.";
    }

    static object NewProduct() => new
    {
        sku = $"FORGED-{Guid.NewGuid():N}"[..20], name = "Forged", description = "", price = 1.00m, currency = "EUR", category = "Forged", stock = 1,
    };
}
