namespace Shop.Benchmarks.Checkout.Probes;

/// <summary>
/// The machine's CPU time from /proc/stat: everything the cores did, whichever process it was for, including the
/// kernel's interrupt work (softirq: loopback TCP between the processes) that no process's utime/stime holds.
/// </summary>
public readonly record struct MachineCpu(long BusyTicks, long TotalTicks)
{
    public static MachineCpu Read()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (guest time is inside user already).
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + fields[4];
        var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
        return new MachineCpu(busy, busy + idle);
    }

    /// <summary>Share of all cores busy since <paramref name="before"/> (1 = every core, all the time).</summary>
    public double BusyShareSince(MachineCpu before) =>
        TotalTicks > before.TotalTicks ? (BusyTicks - before.BusyTicks) / (double)(TotalTicks - before.TotalTicks) : 0;
}
