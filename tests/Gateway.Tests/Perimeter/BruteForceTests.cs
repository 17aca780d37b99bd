using System.Net;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Perimeter;

/// <summary>
/// Guessing passwords: per account and per address, failures lead to a lockout (429 + Retry-After) that is stored in
/// PostgreSQL, so it holds on every gateway instance; the request-rate limits answer 429 before that for floods.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class BruteForceTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;
    readonly IdentityData _data = new(fixture.Cluster);

    record Account(Guid Id, string Email);

    [Fact]
    public async Task Guessing_one_accounts_password_locks_it_on_every_gateway_instance_until_Retry_After()
    {
        var email = await Visitors.RegisterCustomer(_cluster);
        Guid userId;
        using (var owner = Visitors.New(_cluster))
        {
            await owner.Login(email, Visitors.Password);
            userId = (await owner.Get<Account>("api/auth/me"))!.Id;
        }
        var tokensBefore = await _data.RefreshTokens(userId);

        // Every guess from another address and alternating instances: the per-address limits never see more than one.
        for (var guess = 1; guess <= GatewayFixture.AccountMaxFailures; guess++)
        {
            using var attacker = Visitors.New(_cluster, gateway: guess % 2);
            using var response = await attacker.TryLogin(email.ToUpperInvariant(), $"guess number {guess}");
            await Visitors.AssertProblem(response, HttpStatusCode.Unauthorized);
        }

        // Locked: even the right password, on the other instance, from yet another address.
        using var rightPassword = Visitors.New(_cluster, gateway: 1);
        using (var locked = await rightPassword.TryLogin(email, Visitors.Password))
        {
            var problem = await Visitors.AssertProblem(locked, HttpStatusCode.TooManyRequests);
            Assert.Equal("Too many failed sign-in attempts.", problem.GetProperty("title").GetString());
            var retryAfter = Visitors.RetryAfterSeconds(locked);
            Assert.InRange(retryAfter, 1, (int)GatewayFixture.LockoutDuration.TotalSeconds + 1);
        }
        using var onTheFirstInstance = Visitors.New(_cluster, gateway: 0);
        using (var lockedOnFirst = await onTheFirstInstance.TryLogin(email, Visitors.Password))
            await Visitors.AssertProblem(lockedOnFirst, HttpStatusCode.TooManyRequests);
        Assert.Equal(tokensBefore, await _data.RefreshTokens(userId));

        // The lockout ends when Retry-After said it would.
        await WaitUntilLoginWorks(rightPassword, email, GatewayFixture.LockoutDuration + TimeSpan.FromSeconds(60));
        Assert.Equal(tokensBefore + 1, await _data.RefreshTokens(userId));
    }

    [Fact]
    public async Task Failures_from_one_address_over_many_accounts_lock_that_address_out_of_login()
    {
        var email = await Visitors.RegisterCustomer(_cluster);
        var address = Visitors.NewAddress();

        for (var guess = 1; guess <= GatewayFixture.AddressMaxFailures; guess++)
        {
            using var sprayer = Visitors.New(_cluster, address, gateway: guess % 2);
            using var response = await sprayer.TryLogin(Visitors.NewEmail("sprayed"), "password spraying");
            await Visitors.AssertProblem(response, HttpStatusCode.Unauthorized);
        }

        using var owner = Visitors.New(_cluster, address);
        using (var fromThatAddress = await owner.TryLogin(email, Visitors.Password))
        {
            var problem = await Visitors.AssertProblem(fromThatAddress, HttpStatusCode.TooManyRequests);
            Assert.Equal("Too many failed sign-in attempts.", problem.GetProperty("title").GetString());
            Visitors.RetryAfterSeconds(fromThatAddress);
        }
        // The account itself is not locked: its owner, elsewhere, signs in.
        using var elsewhere = Visitors.New(_cluster);
        await elsewhere.Login(email, Visitors.Password);
    }

    [Fact]
    public async Task A_flood_of_logins_from_one_address_is_rate_limited_with_429_and_Retry_After()
    {
        var email = await Visitors.RegisterCustomer(_cluster);
        using var flooder = Visitors.New(_cluster);

        // Successful logins, so that only the request rate (not the failure lockout) can stop them. The bucket refills
        // slowly; allow a few refills on a slow machine.
        var (succeeded, refused) = await SendUntilRefused(_ => flooder.TryLogin(email, Visitors.Password), GatewayFixture.LoginsPerAddress + 20);
        Assert.NotNull(refused);
        using (refused)
        {
            var problem = await Visitors.AssertProblem(refused, HttpStatusCode.TooManyRequests);
            Assert.Equal("Too many requests.", problem.GetProperty("title").GetString());
            Visitors.RetryAfterSeconds(refused);
        }
        Assert.True(succeeded >= GatewayFixture.LoginsPerAddress, $"only {succeeded} logins passed before the limit");

        // Other addresses are not affected.
        using var elsewhere = Visitors.New(_cluster);
        await elsewhere.Login(email, Visitors.Password);
    }

    [Fact]
    public async Task Registrations_are_limited_per_address_and_per_email()
    {
        var address = Visitors.NewAddress();
        using var signups = Visitors.New(_cluster, address);
        for (var i = 0; i < GatewayFixture.RegistrationsPerAddress; i++)
        {
            using var response = await signups.Register(Visitors.NewEmail("signup"), Visitors.Password, "Signup");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        var oneTooMany = Visitors.NewEmail("signup");
        using (var refused = await signups.Register(oneTooMany, Visitors.Password, "Signup"))
        {
            await Visitors.AssertProblem(refused, HttpStatusCode.TooManyRequests);
            Visitors.RetryAfterSeconds(refused);
        }
        Assert.Equal(0, await _data.AccountsWithEmail(oneTooMany));

        // One email registered over and over (each sends its owner an email) from ever new addresses.
        var probed = await Visitors.RegisterCustomer(_cluster);
        HttpResponseMessage? limited = null;
        for (var attempt = 0; attempt < 10 && limited is null; attempt++)
        {
            using var prober = Visitors.New(_cluster);
            var response = await prober.Register(probed, Visitors.Password, "Prober");
            if (response.StatusCode == HttpStatusCode.Accepted)
                response.Dispose();
            else
                limited = response;
        }
        Assert.NotNull(limited);
        using (limited)
        {
            await Visitors.AssertProblem(limited, HttpStatusCode.TooManyRequests);
            Visitors.RetryAfterSeconds(limited);
        }
        Assert.Equal(1, await _data.AccountsWithEmail(probed));
    }

    [Fact]
    public async Task Requests_of_one_user_are_limited_across_the_gateway_and_the_services()
    {
        using var busy = Visitors.New(_cluster);
        await busy.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);

        var (succeeded, refused) = await SendUntilRefused(
            attempt => busy.Http.GetAsync(attempt % 2 == 0 ? "api/auth/me" : "api/orders"), GatewayFixture.RequestsPerUser * 4);
        Assert.NotNull(refused);
        using (refused)
        {
            await Visitors.AssertProblem(refused, HttpStatusCode.TooManyRequests);
            Visitors.RetryAfterSeconds(refused);
        }
        Assert.True(succeeded >= GatewayFixture.RequestsPerUser, $"only {succeeded} requests passed before the limit");

        // The limit is the user's, not the address's: another user from the same address goes on.
        using var neighbour = Visitors.New(_cluster, busy.Http.DefaultRequestHeaders.GetValues("X-Forwarded-For").Single());
        await neighbour.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);
        using var other = await neighbour.Http.GetAsync("api/orders");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    /// <summary>Sends requests until one is not a 200 (returned, for the caller to inspect and dispose) or the attempts run out.</summary>
    static async Task<(int Succeeded, HttpResponseMessage? Refused)> SendUntilRefused(Func<int, Task<HttpResponseMessage>> send, int attempts)
    {
        var succeeded = 0;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var response = await send(attempt);
            if (response.StatusCode != HttpStatusCode.OK)
                return (succeeded, response);
            succeeded++;
            response.Dispose();
        }
        return (succeeded, null);
    }

    static async Task WaitUntilLoginWorks(ShopApi api, string email, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await api.TryLogin(email, Visitors.Password);
            if (response.StatusCode == HttpStatusCode.OK)
                return;
            await Visitors.AssertProblem(response, HttpStatusCode.TooManyRequests);
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The lockout of {email} did not end within {timeout}.");
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(Visitors.RetryAfterSeconds(response), 5)));
        }
    }
}
