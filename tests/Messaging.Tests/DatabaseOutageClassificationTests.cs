using System.Net.Sockets;
using Marten.Exceptions;
using Npgsql;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>Which failures count as the database being away (worth waiting for) and which the statement caused.</summary>
public sealed class DatabaseOutageClassificationTests
{
    static PostgresException Postgres(string sqlState) => new("test", "FATAL", "FATAL", sqlState);

    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CrashShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.ConnectionFailure)]
    public void A_server_shutting_down_crashing_starting_or_losing_the_connection_is_an_outage(string sqlState)
    {
        Assert.True(DatabaseOutage.Is(Postgres(sqlState)));
        // Marten wraps what Npgsql throws.
        Assert.True(DatabaseOutage.Is(new MartenCommandException(new NpgsqlCommand("select 1"), Postgres(sqlState))));
    }

    [Fact]
    public void A_server_that_cannot_be_reached_is_an_outage() =>
        Assert.True(DatabaseOutage.Is(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    [InlineData(PostgresErrorCodes.UndefinedTable)]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    public void An_error_the_statement_caused_is_not(string sqlState)
    {
        Assert.False(DatabaseOutage.Is(Postgres(sqlState)));
        Assert.False(DatabaseOutage.Is(new InvalidOperationException("wrapped", Postgres(sqlState))));
    }

    [Fact]
    public void Anything_that_is_not_from_the_database_is_not() => Assert.False(DatabaseOutage.Is(new TimeoutException()));
}
