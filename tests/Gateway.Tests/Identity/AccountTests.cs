using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Identity;

/// <summary>Register, login, refresh with rotation, reuse detection and logout, through the gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AccountTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;
    readonly IdentityData _data = new(fixture.Cluster);

    record Account(Guid Id, string Email, string Name, List<string> Roles);

    [Fact]
    public async Task Register_login_refresh_rotation_reuse_detection_and_logout()
    {
        using var api = Visitors.New(_cluster);
        var email = Visitors.NewEmail();
        using (var registered = await api.Register(email, Visitors.Password, "Grace"))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var account = (await registered.Content.ReadFromJsonAsync<Account>(ShopApi.Json))!;
            Assert.Equal(email, account.Email);
            Assert.Equal(["customer"], account.Roles);
        }

        var first = await api.Login(email, Visitors.Password);
        var me = (await api.Get<Account>("api/auth/me"))!;
        Assert.Equal(email, me.Email);
        Assert.Equal(0, await _data.RefreshTokensWithId(first.RefreshToken));
        Assert.Equal(1, await _data.RefreshTokensWithId(Sha256Hex(first.RefreshToken)));

        // Rotation: a new pair, the new access token works.
        ShopApi.Tokens second;
        using (var refreshed = await api.Refresh(first.RefreshToken))
        {
            await ShopApi.EnsureSuccess(refreshed);
            second = (await refreshed.Content.ReadFromJsonAsync<ShopApi.Tokens>(ShopApi.Json))!;
        }
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        api.UseToken(second.AccessToken);
        Assert.Equal(me.Id, (await api.Get<Account>("api/auth/me"))!.Id);

        // Reuse of the rotated token: refused, and its whole family (the current token too) is revoked.
        using (var reused = await api.Refresh(first.RefreshToken))
            await Visitors.AssertProblem(reused, HttpStatusCode.Unauthorized);
        using (var descendant = await api.Refresh(second.RefreshToken))
            await Visitors.AssertProblem(descendant, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await _data.ActiveRefreshTokens(me.Id));

        // Logout revokes the session's refresh token.
        var third = await api.Login(email, Visitors.Password);
        Assert.Equal(1, await _data.ActiveRefreshTokens(me.Id));
        using (var logout = await api.Http.PostAsJsonAsync("api/auth/logout", new { refreshToken = third.RefreshToken }))
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using (var afterLogout = await api.Refresh(third.RefreshToken))
            await Visitors.AssertProblem(afterLogout, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await _data.ActiveRefreshTokens(me.Id));

        using (var unknown = await api.Refresh("not-a-token-anyone-was-given"))
            await Visitors.AssertProblem(unknown, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Registration_enforces_unique_emails_and_the_password_policy_and_stores_nothing_it_refuses()
    {
        var email = await Visitors.RegisterCustomer(_cluster);

        using var api = Visitors.New(_cluster);
        using (var twin = await api.Register(email.ToUpperInvariant(), Visitors.Password, "Twin"))
            await Visitors.AssertProblem(twin, HttpStatusCode.Conflict);
        Assert.Equal(1, await _data.AccountsWithEmail(email));

        var shortPassword = Visitors.NewEmail();
        using (var response = await api.Register(shortPassword, "too short", "Short"))
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        var sameAsEmail = Visitors.NewEmail();
        using (var response = await api.Register(sameAsEmail, sameAsEmail.ToUpperInvariant(), "Echo"))
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        using (var response = await api.Register("not-an-email", Visitors.Password, "Nobody"))
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await _data.AccountsWithEmail(shortPassword));
        Assert.Equal(0, await _data.AccountsWithEmail(sameAsEmail));
        Assert.Equal(0, await _data.AccountsWithEmail("not-an-email"));
    }

    [Fact]
    public async Task An_unknown_email_and_a_wrong_password_get_the_same_401()
    {
        var email = await Visitors.RegisterCustomer(_cluster);
        using var api = Visitors.New(_cluster);

        using var wrongPassword = await api.TryLogin(email, "not the right password");
        var wrong = await Visitors.AssertProblem(wrongPassword, HttpStatusCode.Unauthorized);
        using var unknownEmail = await api.TryLogin(Visitors.NewEmail(), "not the right password");
        var unknown = await Visitors.AssertProblem(unknownEmail, HttpStatusCode.Unauthorized);

        Assert.Equal(wrong.GetProperty("title").GetString(), unknown.GetProperty("title").GetString());
        Assert.Equal("no-store", wrongPassword.Headers.CacheControl?.ToString());
    }

    static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
