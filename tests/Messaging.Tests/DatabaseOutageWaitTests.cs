using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// How long a write waits for a database that is away (<see cref="DatabaseOutage.WaitOut"/>, used by the redelivery's
/// outbox write): as long as the setting says by the clock, whatever each attempt does meanwhile.
/// </summary>
public sealed class DatabaseOutageWaitTests
{
    static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    // The deadline is a timer, which may fire a fraction of a millisecond before a Stopwatch says the time is up
    // (seen in CI: 0.9997 s for a 1 s wait).
    static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task A_database_whose_connect_hangs_is_given_up_at_the_deadline_not_after_each_attempts_connect_timeout()
    {
        // A listener that never accepts: the TCP handshake completes in the kernel's backlog and the server never says
        // a word, as a host behind a firewall that drops packets. Each connect would hang for its 60 s timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var (giveUp, attempts, elapsed) = await GiveUpOnSelect($"Host=127.0.0.1;Port={port};Username=shop;Timeout=60;Pooling=false", TimeSpan.FromSeconds(2));

        Assert.InRange(elapsed, TimeSpan.FromSeconds(2) - TimerSlack, TimeSpan.FromSeconds(20));
        Assert.Equal(1, attempts);
        Assert.NotNull(giveUp.InnerException);
    }

    [Fact]
    public async Task A_database_that_refuses_connections_is_tried_again_after_each_pause_until_the_deadline()
    {
        var port = LoopbackPorts.Next();
        var (giveUp, attempts, elapsed) = await GiveUpOnSelect($"Host=127.0.0.1;Port={port};Username=shop;Pooling=false", TimeSpan.FromSeconds(1));

        Assert.True(elapsed >= TimeSpan.FromSeconds(1) - TimerSlack, $"gave up after {elapsed}");
        Assert.True(attempts >= 3, $"{attempts} attempts");
        Assert.True(DatabaseOutage.Is(giveUp.InnerException), $"the last outage is kept: {giveUp.InnerException}");
    }

    /// <summary>Waits out a `select 1` against a database that never answers it: the timeout, the attempts made, the time it took.</summary>
    static async Task<(TimeoutException GiveUp, int Attempts, TimeSpan Elapsed)> GiveUpOnSelect(string connectionString, TimeSpan wait)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        var clock = Stopwatch.StartNew();
        var attempts = 0;
        var giveUp = await Assert.ThrowsAsync<TimeoutException>(() => DatabaseOutage.WaitOut(async token =>
        {
            attempts++;
            await using var command = database.CreateCommand("select 1");
            await command.ExecuteNonQueryAsync(token);
        }, wait, Pause, CancellationToken.None));
        return (giveUp, attempts, clock.Elapsed);
    }

    [Fact]
    public async Task An_attempt_that_succeeds_once_the_database_is_back_ends_the_wait()
    {
        var attempts = 0;
        await DatabaseOutage.WaitOut(_ =>
        {
            attempts++;
            return attempts < 3
                ? Task.FromException(new PostgresException("recovering", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow))
                : Task.CompletedTask;
        }, TimeSpan.FromSeconds(30), Pause, CancellationToken.None);

        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task The_timeout_carries_the_last_outage_even_when_the_deadline_cuts_an_attempt_short()
    {
        var attempts = 0;
        var giveUp = await Assert.ThrowsAsync<TimeoutException>(() => DatabaseOutage.WaitOut(_ =>
        {
            attempts++;
            // The first attempt is refused; the second hangs until the deadline.
            return attempts == 1
                ? Task.FromException(new PostgresException("recovering", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow))
                : new TaskCompletionSource().Task;
        }, TimeSpan.FromMilliseconds(500), Pause, CancellationToken.None));

        Assert.Equal(2, attempts);
        Assert.Equal(PostgresErrorCodes.CannotConnectNow, Assert.IsType<PostgresException>(giveUp.InnerException).SqlState);
    }

    [Fact]
    public async Task An_error_the_statement_caused_is_not_waited_for()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<PostgresException>(() => DatabaseOutage.WaitOut(_ =>
        {
            attempts++;
            return Task.FromException(new PostgresException("duplicate", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation));
        }, TimeSpan.FromSeconds(30), Pause, CancellationToken.None));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_shutdown_cancels_the_wait_as_a_cancellation_not_as_a_timeout()
    {
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DatabaseOutage.WaitOut(
            _ => Task.FromException(new PostgresException("shutting down", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown)),
            TimeSpan.FromSeconds(30), Pause, shutdown.Token));
    }

    [Fact]
    public async Task No_wait_makes_one_attempt()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<PostgresException>(() => DatabaseOutage.WaitOut(_ =>
        {
            attempts++;
            return Task.FromException(new PostgresException("recovering", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow));
        }, TimeSpan.Zero, Pause, CancellationToken.None));

        Assert.Equal(1, attempts);
    }
}
