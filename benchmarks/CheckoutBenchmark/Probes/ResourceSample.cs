namespace Shop.Benchmarks.Checkout.Probes;

/// <summary>Every cumulative counter at one moment; the difference of two samples is what happened in between.</summary>
public sealed record ResourceSample(DateTimeOffset At, PostgresCounters Postgres, IReadOnlyDictionary<string, double> CpuSeconds, long RabbitPublished)
{
    public static async Task<ResourceSample> TakeAsync(string postgres, ProcessCpu cpu, RabbitManagement rabbit, CancellationToken cancellationToken)
    {
        var at = DateTimeOffset.UtcNow;
        var counters = await PostgresCounters.ReadAsync(postgres, cancellationToken);
        var published = await rabbit.PublishedAsync(cancellationToken);
        return new ResourceSample(at, counters, cpu.Sample(), published);
    }

    public ResourceDelta Since(ResourceSample before) => new(
        (At - before.At).TotalSeconds, Postgres - before.Postgres,
        CpuSeconds.ToDictionary(c => c.Key, c => c.Value - before.CpuSeconds.GetValueOrDefault(c.Key)),
        RabbitPublished - before.RabbitPublished);
}

public sealed record ResourceDelta(double Seconds, PostgresCounters Postgres, IReadOnlyDictionary<string, double> CpuSeconds, long RabbitPublished)
{
    public double TotalCpuSeconds => CpuSeconds.Values.Sum();

    /// <summary>Share of the machine's cores used over the interval (1 = every core busy).</summary>
    public double MachineCpuShare => Seconds > 0 ? TotalCpuSeconds / Seconds / Environment.ProcessorCount : 0;
}
