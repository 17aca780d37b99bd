using Npgsql;

namespace Shop.Messaging;

/// <summary>
/// Tells a database that is away — unreachable, or shutting down, crashing or starting up (57P01-57P03, which a crash
/// recovery answers for seconds) — from an error the statement itself caused. Only the first kind is worth waiting for.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>The exception or one it wraps (Marten wraps Npgsql's) says the database is away.</summary>
    public static bool Is(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
            if (current is NpgsqlException npgsql)
                return Is(npgsql);
        return false;
    }

    public static bool Is(NpgsqlException exception) => exception is PostgresException postgres
        ? postgres.SqlState.StartsWith("57P0", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
        : exception.IsTransient;
}
