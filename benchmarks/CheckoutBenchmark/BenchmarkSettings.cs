namespace Shop.Benchmarks.Checkout;

/// <summary>Where the system under test is and how hard and how long to drive it.</summary>
public sealed record BenchmarkSettings
{
    public required Uri Gateway { get; init; }

    /// <summary>The system's ./shop state folder: pids/, postgres/postmaster.pid, secrets/admin-password.</summary>
    public required string SystemState { get; init; }

    public required string AdminEmail { get; init; }

    /// <summary>Npgsql connection string of the shop database (pg_stat_database deltas, the pgbench server).</summary>
    public required string Postgres { get; init; }

    /// <summary>amqp://user:pass@host:port/vhost of the shop's virtual host.</summary>
    public required Uri RabbitMq { get; init; }

    public required Uri RabbitMqManagement { get; init; }

    /// <summary>
    /// Base URLs of services by ./shop name (inventory, cart, orders): each read is also measured there, without the
    /// gateway. Empty: gateway only.
    /// </summary>
    public IReadOnlyDictionary<string, Uri> Direct { get; init; } = new Dictionary<string, Uri>();

    /// <summary>PostgreSQL's bin folder, where pgbench is.</summary>
    public required string PostgresBin { get; init; }

    public required string ResultsDirectory { get; init; }
    public required string Commit { get; init; }
    public bool Dirty { get; init; }
    public bool Quick { get; init; }

    /// <summary>Offered checkout rates (orders/s), in the order they are run; escalation stops at the first saturated step.</summary>
    public required IReadOnlyList<double> Rates { get; init; }

    public required TimeSpan StepLength { get; init; }

    /// <summary>The start of each step left out of its steady-state window.</summary>
    public required TimeSpan Warmup { get; init; }

    /// <summary>How long after a step's end its accepted orders may take to reach a terminal status.</summary>
    public required TimeSpan DrainBound { get; init; }

    /// <summary>Quiet time before a step's closing sample, so PostgreSQL's and RabbitMQ's counters include its last work.</summary>
    public required TimeSpan Settle { get; init; }

    /// <summary>The whole run's length, when bounded (quick runs): the drain is cut short rather than overrun it.</summary>
    public TimeSpan? TimeBudget { get; init; }

    public required TimeSpan IdleLength { get; init; }
    public required TimeSpan ReadLength { get; init; }
    public required TimeSpan LimitLength { get; init; }
    public required int Connections { get; init; }
    public required int Products { get; init; }
    public required int Readers { get; init; }

    /// <summary>Customers per offered order/s: bounds the checkouts in flight (a customer has one cart, so one checkout at a time).</summary>
    public double CustomersPerRate { get; init; } = 2;

    /// <summary>The headline's latency bound: checkout to terminal p99.</summary>
    public TimeSpan LatencyTarget { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Clients of the PostgreSQL commit limit (pgbench -c) and publishers of the RabbitMQ round-trip limit.</summary>
    public int LimitClients { get; init; } = 8;

    public const double Saturation = 0.5;

    public static readonly IReadOnlyList<double> FullRates = [5, 10, 25, 50, 100, 200];
    public static readonly IReadOnlyList<double> QuickRates = [5];
}
