using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Identity;

/// <summary>Register, verify, login, refresh with rotation, reuse detection and logout, through the gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AccountTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;
    readonly IdentityData _data = new(fixture.Cluster);

    record Account(Guid Id, string Email, string Name, List<string> Roles, bool EmailVerified);

    [Fact]
    public async Task Register_verify_login_refresh_rotation_reuse_detection_and_logout()
    {
        using var api = Visitors.New(_cluster);
        var email = Visitors.NewEmail();
        using (var registered = await api.Register(email, Visitors.Password, "Grace"))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
            Assert.Contains("inbox", (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        }
        // Not verified yet: the same 401 as a wrong password.
        using (var early = await api.TryLogin(email, Visitors.Password))
            await Visitors.AssertProblem(early, HttpStatusCode.Unauthorized);

        await api.VerifyFromEmail(email);
        var first = await api.Login(email, Visitors.Password);
        var me = (await api.Get<Account>("api/auth/me"))!;
        Assert.Equal(email, me.Email);
        Assert.Equal(["customer"], me.Roles);
        Assert.True(me.EmailVerified);
        Assert.Equal(0, await _data.PendingVerifications(me.Id));
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

        using (var unknown = await api.Refresh("not-a-token-anyone-was-given"))
            await Visitors.AssertProblem(unknown, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_revokes_the_access_token_on_every_gateway_instance_and_the_refresh_token()
    {
        var email = await Visitors.RegisterCustomer(_cluster);
        using var first = Visitors.New(_cluster, gateway: 0);
        var tokens = await first.Login(email, Visitors.Password);
        var me = (await first.Get<Account>("api/auth/me"))!;
        using var second = Visitors.New(_cluster, gateway: 1);
        second.UseToken(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await second.Http.GetAsync("api/cart")).StatusCode);

        using (var logout = await first.Logout(tokens.RefreshToken))
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        // At once on the instance that took the logout, within the deny list's sync interval on the other one.
        using (var sameInstance = await first.Http.GetAsync("api/auth/me"))
            await Visitors.AssertProblem(sameInstance, HttpStatusCode.Unauthorized);
        HttpStatusCode last = HttpStatusCode.OK;
        Assert.True(await Poll.Until(async () =>
            {
                using var response = await second.Http.GetAsync("api/cart");
                return (last = response.StatusCode) == HttpStatusCode.Unauthorized;
            }, TimeSpan.FromSeconds(10)),
            $"the revoked access token still answered {(int)last} on the second gateway instance after 10 s");
        using (var proxied = await second.Http.GetAsync("api/orders"))
            await Visitors.AssertProblem(proxied, HttpStatusCode.Unauthorized);
        using (var refresh = await first.Refresh(tokens.RefreshToken))
            await Visitors.AssertProblem(refresh, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await _data.ActiveRefreshTokens(me.Id));
        Assert.Equal(1, await _data.RevokedAccessTokens(me.Id));

        // Another session of the same account is untouched.
        using var other = Visitors.New(_cluster);
        await other.Login(email, Visitors.Password);
        Assert.Equal(me.Id, (await other.Get<Account>("api/auth/me"))!.Id);
    }

    [Fact]
    public async Task Only_the_owner_of_a_refresh_token_can_log_it_out()
    {
        var victimEmail = await Visitors.RegisterCustomer(_cluster);
        using var victim = Visitors.New(_cluster);
        var victimTokens = await victim.Login(victimEmail, Visitors.Password);
        var victimId = (await victim.Get<Account>("api/auth/me"))!.Id;

        // Anonymous: the endpoint needs a signed-in caller.
        using var anonymous = Visitors.New(_cluster);
        using (var response = await anonymous.Logout(victimTokens.RefreshToken))
            await Visitors.AssertProblem(response, HttpStatusCode.Unauthorized);

        // Signed in as someone else: the victim's session is not theirs to end (the same 404 as an unknown token).
        var attackerEmail = await Visitors.RegisterCustomer(_cluster);
        using var attacker = Visitors.New(_cluster);
        await attacker.Login(attackerEmail, Visitors.Password);
        using (var response = await attacker.Logout(victimTokens.RefreshToken))
            await Visitors.AssertProblem(response, HttpStatusCode.NotFound);
        using (var response = await attacker.Logout("not-a-token-anyone-was-given"))
            await Visitors.AssertProblem(response, HttpStatusCode.NotFound);

        Assert.Equal(1, await _data.ActiveRefreshTokens(victimId));
        Assert.Equal(0, await _data.RevokedAccessTokens(victimId));
        Assert.Equal(HttpStatusCode.OK, (await victim.Http.GetAsync("api/auth/me")).StatusCode);
        using (var refreshed = await victim.Refresh(victimTokens.RefreshToken))
            await ShopApi.EnsureSuccess(refreshed);
        // The attacker's own session was not ended by the refused attempt either.
        Assert.Equal(HttpStatusCode.OK, (await attacker.Http.GetAsync("api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Registration_answers_the_same_for_new_and_existing_addresses_and_the_email_says_which()
    {
        var existing = await Visitors.RegisterCustomer(_cluster);
        var fresh = Visitors.NewEmail();
        using var api = Visitors.New(_cluster);

        using var forExisting = await api.Register(existing, "another long password", "Someone Else");
        using var forFresh = await api.Register(fresh, "another long password", "Someone Else");
        Assert.Equal(HttpStatusCode.Accepted, forExisting.StatusCode);
        Assert.Equal(forFresh.StatusCode, forExisting.StatusCode);
        Assert.Equal(await forFresh.Content.ReadAsStringAsync(), await forExisting.Content.ReadAsStringAsync());
        Assert.Equal(forFresh.Headers.Location, forExisting.Headers.Location);

        // The owner of the existing account is told, and nothing about the account changed.
        var notice = await _cluster.Mail.WaitForEmailAsync(existing, "already-registered");
        Assert.Contains("already has an account", notice.Text);
        Assert.Equal(1, await _data.AccountsWithEmail(existing));
        await Visitors.New(_cluster).Login(existing, Visitors.Password);
        using (var other = await Visitors.New(_cluster).TryLogin(existing, "another long password"))
            await Visitors.AssertProblem(other, HttpStatusCode.Unauthorized);
        // The new address got a verification link instead.
        await _cluster.Mail.WaitForEmailAsync(fresh, ShopApi.VerifyEmailKind);
        Assert.Empty(await _cluster.Mail.EmailsToAsync(fresh, "already-registered"));
    }

    [Fact]
    public async Task The_verification_link_decides_the_password_so_an_earlier_sign_up_of_the_address_gains_nothing()
    {
        var email = Visitors.NewEmail("victim");
        // Someone registers an address that is not theirs...
        using var squatter = Visitors.New(_cluster);
        using (var response = await squatter.Register(email, "my very own passphrase", "Squatter"))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // ...then its owner registers it and opens the link of their own registration (the second email).
        using var owner = Visitors.New(_cluster);
        using (var response = await owner.Register(email, Visitors.Password, "Owner"))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await owner.VerifyFromEmail(email, count: 2);

        await owner.Login(email, Visitors.Password);
        Assert.Equal("Owner", (await owner.Get<Account>("api/auth/me"))!.Name);
        using (var response = await squatter.TryLogin(email, "my very own passphrase"))
            await Visitors.AssertProblem(response, HttpStatusCode.Unauthorized);

        // Links work once, and the first one was spent with the second.
        var firstLink = MailDevServer.VerificationToken(await _cluster.Mail.WaitForEmailAsync(email, ShopApi.VerifyEmailKind, 1));
        using (var reused = await squatter.VerifyEmail(firstLink))
            await Visitors.AssertProblem(reused, HttpStatusCode.BadRequest);
        using (var forged = await squatter.VerifyEmail("not-a-token-anyone-was-given"))
            await Visitors.AssertProblem(forged, HttpStatusCode.BadRequest);
        await owner.Login(email, Visitors.Password);
    }

    [Fact]
    public async Task Registering_an_unverified_address_again_sends_a_new_link_that_carries_its_own_password()
    {
        var email = Visitors.NewEmail("again");
        using var api = Visitors.New(_cluster);
        using (var first = await api.Register(email, "the first passphrase", "Fiona Early"))
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using (var second = await api.Register(email, "the second passphrase", "Sam Later"))
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(1, await _data.AccountsWithEmail(email));

        // The first link verifies with the first registration's password and name; the second link is spent with it.
        await api.VerifyFromEmail(email, count: 1);
        await api.Login(email, "the first passphrase");
        Assert.Equal("Fiona Early", (await api.Get<Account>("api/auth/me"))!.Name);
        using (var other = await Visitors.New(_cluster).TryLogin(email, "the second passphrase"))
            await Visitors.AssertProblem(other, HttpStatusCode.Unauthorized);
        var secondLink = MailDevServer.VerificationToken(await _cluster.Mail.WaitForEmailAsync(email, ShopApi.VerifyEmailKind, 2));
        using (var spent = await api.VerifyEmail(secondLink))
            await Visitors.AssertProblem(spent, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("1234567890", "digits only")]
    [InlineData("password12", "common password")]
    [InlineData("aaaaaaaaaa", "different")]
    [InlineData("P@ssw0rd2024!", "common password")]
    [InlineData("qwertyuiop", "sequence")]
    [InlineData("abcdeabcdeabcde", "repeated pattern")]
    [InlineData("short1!", "at least 8")]
    [InlineData("dragon1234", "common password")]
    public async Task Weak_passwords_are_refused_and_nothing_is_stored(string password, string reason)
    {
        var email = Visitors.NewEmail();
        using var api = Visitors.New(_cluster);
        using var response = await api.Register(email, password, "Weak");
        var problem = await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("password")[0].GetString());
        Assert.Equal(0, await _data.AccountsWithEmail(email));
        Assert.Empty(await _cluster.Mail.EmailsToAsync(email));
    }

    [Fact]
    public async Task A_password_of_ten_NULs_or_with_the_email_in_it_is_refused()
    {
        var email = Visitors.NewEmail("echo");
        using var api = Visitors.New(_cluster);
        using (var response = await api.Register(email, new string('\0', 10), "Nul"))
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        using (var response = await api.Register(email, email.ToUpperInvariant(), "Echo"))
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        using (var response = await api.Register(email, email.Split('@')[0] + "-2024!", "Echo"))
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await _data.AccountsWithEmail(email));
        // A long passphrase passes.
        using (var response = await api.Register(email, "correct horse battery staple", "Echo"))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("x@y")]
    [InlineData("a b@c.d")]
    [InlineData("admın@shop.test")]          // dotless i: not an ASCII local part
    [InlineData("admin@shоp.test")]          // Cyrillic о in a Latin label
    [InlineData("admin@[127.0.0.1]")]
    [InlineData("admin@shop..test")]
    [InlineData("not-an-email")]
    [InlineData(".admin@shop.test")]
    public async Task Malformed_and_look_alike_emails_are_refused_and_nothing_is_stored(string email)
    {
        var before = await _data.AccountsSnapshot();
        using var api = Visitors.New(_cluster);
        using var response = await api.Register(email, Visitors.Password, "Look-alike");
        var problem = await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _), problem.ToString());
        Assert.Equal(before, await _data.AccountsSnapshot());
    }

    [Fact]
    public async Task Case_and_a_trailing_dot_do_not_make_a_second_account()
    {
        var email = await Visitors.RegisterCustomer(_cluster);
        var (local, domain) = (email.Split('@')[0], email.Split('@')[1]);
        using var api = Visitors.New(_cluster);
        foreach (var variant in (string[])[email.ToUpperInvariant(), $"{local}@{domain}.", $" {local.ToUpperInvariant()}@{domain.ToUpperInvariant()}. "])
        {
            using var response = await api.Register(variant, "a different long password", "Twin");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        Assert.Equal(1, await _data.AccountsWithEmail(email));
        // Every attempt told the owner instead.
        await _cluster.Mail.WaitForEmailAsync(email, "already-registered", count: 3);
        // And the account signs in with any of the spellings.
        await api.Login($"{local.ToUpperInvariant()}@{domain}.", Visitors.Password);
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
        Assert.Equal(wrong.GetProperty("detail").GetString(), unknown.GetProperty("detail").GetString());
        Assert.Equal("no-store", wrongPassword.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task The_admin_bootstrapper_replaces_an_unverified_sign_up_of_the_admin_address_instead_of_promoting_it()
    {
        // Someone signs up with the address an operator is about to configure as the admin's.
        var adminEmail = Visitors.NewEmail("operator");
        using var squatter = Visitors.New(_cluster);
        using (var response = await squatter.Register(adminEmail, "my very own passphrase", "Squatter"))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var squatterId = await _data.UserId(adminEmail);
        Assert.NotNull(squatterId);

        const string configuredPassword = "the operator's configured password";
        await _cluster.StartExtraAsync("gateway", new Dictionary<string, string> { ["Admin:Email"] = adminEmail, ["Admin:Password"] = configuredPassword });

        var adminId = await _data.UserId(adminEmail);
        Assert.NotNull(adminId);
        Assert.NotEqual(squatterId, adminId);
        Assert.Equal(["admin", "customer"], await _data.Roles(adminId!.Value));
        Assert.True(await _data.IsVerified(adminEmail));
        Assert.Equal(0, await _data.PendingVerifications(squatterId!.Value));
        using (var response = await squatter.TryLogin(adminEmail, "my very own passphrase"))
            await Visitors.AssertProblem(response, HttpStatusCode.Unauthorized);
        // The squatter's link (in the owner's mailbox anyway) no longer verifies anything.
        var link = MailDevServer.VerificationToken(await _cluster.Mail.WaitForEmailAsync(adminEmail, ShopApi.VerifyEmailKind));
        using (var response = await squatter.VerifyEmail(link))
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);

        using var admin = Visitors.New(_cluster);
        await admin.Login(adminEmail, configuredPassword);
        Assert.Contains("admin", (await admin.Get<Account>("api/auth/me"))!.Roles);
    }

    static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
