using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Shop.Benchmarks.Checkout.Limits;

/// <summary>
/// How many one-row insert transactions per second the same PostgreSQL server commits with N clients (pgbench, in a
/// database of its own that is dropped afterwards). Every checkout step commits, so this bounds orders/s x transactions
/// per order: with fsync on, it is mostly the disk's flush rate, shared through group commit.
/// </summary>
public static partial class PostgresCommitLimit
{
    const string Database = "shop_bench_limits";

    public static async Task<double> MeasureAsync(string shopConnectionString, string postgresBin, int clients, TimeSpan length,
        CancellationToken cancellationToken)
    {
        var pgbench = Path.Combine(postgresBin, "pgbench");
        if (!File.Exists(pgbench))
            throw new BenchmarkException($"pgbench not found at {pgbench}");
        var server = new NpgsqlConnectionStringBuilder(shopConnectionString) { Database = "postgres", Pooling = false };
        await ExecuteAsync(server.ConnectionString, $"drop database if exists {Database} with (force)", cancellationToken);
        await ExecuteAsync(server.ConnectionString, $"create database {Database}", cancellationToken);
        var script = Path.GetTempFileName();
        try
        {
            await ExecuteAsync(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = Database }.ConnectionString,
                "create table one_row_inserts (id bigserial primary key, at timestamptz not null)", cancellationToken);
            await File.WriteAllTextAsync(script, "insert into one_row_inserts (at) values (now());\n", cancellationToken);
            var output = await RunAsync(pgbench, [
                "--no-vacuum", "--client", clients.ToString(CultureInfo.InvariantCulture), "--jobs", "2",
                "--time", Math.Max(1, (int)length.TotalSeconds).ToString(CultureInfo.InvariantCulture), "--file", script,
                "--host", server.Host!, "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--username", server.Username ?? "postgres",
                Database,
            ], server.Password, cancellationToken);
            var tps = Tps().Match(output);
            if (!tps.Success)
                throw new BenchmarkException($"pgbench printed no tps:\n{output}");
            return double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(script);
            await ExecuteAsync(server.ConnectionString, $"drop database if exists {Database} with (force)", CancellationToken.None);
        }
    }

    static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string? password, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        if (password is not null)
            start.Environment["PGPASSWORD"] = password;
        using var process = Process.Start(start) ?? throw new BenchmarkException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new BenchmarkException($"pgbench exited with {process.ExitCode}:\n{await errors}");
        return await output;
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
