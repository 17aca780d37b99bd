using System.Runtime.InteropServices;

namespace Shop.Benchmarks.Checkout.Probes;

/// <summary>
/// CPU seconds of the system's processes from /proc. Each is counted with all its descendants (PostgreSQL's backends,
/// RabbitMQ's beam under its start script) and with the children that already exited — cutime/cstime, which is where a
/// closed PostgreSQL connection's backend ends up.
/// </summary>
public sealed class ProcessCpu
{
    readonly IReadOnlyDictionary<string, int> _roots;
    static readonly double TicksPerSecond = ClockTicks();

    ProcessCpu(IReadOnlyDictionary<string, int> roots) => _roots = roots;

    public IReadOnlyCollection<string> Names => _roots.Keys.ToList();

    /// <summary>
    /// The processes ./shop started from this state folder (pids/*.pid: services, their replicas, rabbitmq, maildev),
    /// PostgreSQL's postmaster, and this benchmark itself (it shares the machine's cores).
    /// </summary>
    public static ProcessCpu Of(string systemState)
    {
        var roots = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var pids = Path.Combine(systemState, "pids");
        if (!Directory.Exists(pids))
            throw new BenchmarkException($"{pids} does not exist: is a system running from {systemState}?");
        foreach (var file in Directory.GetFiles(pids, "*.pid"))
            if (int.TryParse(File.ReadLines(file).FirstOrDefault(), out var pid) && IsAlive(pid))
                roots[Path.GetFileNameWithoutExtension(file)] = pid;
        var postmaster = Path.Combine(systemState, "postgres", "postmaster.pid");
        if (File.Exists(postmaster) && int.TryParse(File.ReadLines(postmaster).FirstOrDefault(), out var postgres) && IsAlive(postgres))
            roots["postgres"] = postgres;
        foreach (var needed in (string[])["gateway", "postgres", "rabbitmq"])
            if (!roots.ContainsKey(needed))
                throw new BenchmarkException($"no running {needed} process found under {systemState}: is the system there?");
        roots["bench"] = Environment.ProcessId;
        return new ProcessCpu(roots);
    }

    static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat");

    /// <summary>CPU seconds used so far by each root and its descendants, live and exited.</summary>
    public IReadOnlyDictionary<string, double> Sample()
    {
        var processes = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                if (Parse(File.ReadAllText(Path.Combine(directory, "stat"))) is { } stat)
                    processes[pid] = stat;
            }
            catch (IOException)
            {
                // The process ended between listing and reading: its time is in its parent's cutime by now.
            }
        }
        var children = processes.GroupBy(p => p.Value.Parent).ToDictionary(g => g.Key, g => g.Select(p => p.Key).ToList());
        return _roots.ToDictionary(r => r.Key, r => TreeTicks(r.Value, processes, children) / TicksPerSecond);
    }

    static long TreeTicks(int root, Dictionary<int, (int Parent, long Ticks)> processes, Dictionary<int, List<int>> children)
    {
        if (!processes.TryGetValue(root, out var process))
            return 0;
        var ticks = process.Ticks;
        foreach (var child in children.GetValueOrDefault(root) ?? [])
            ticks += TreeTicks(child, processes, children);
        return ticks;
    }

    /// <summary>Parent pid and utime + stime + cutime + cstime from /proc/PID/stat (the name in parentheses may hold spaces).</summary>
    static (int Parent, long Ticks)? Parse(string stat)
    {
        var end = stat.LastIndexOf(')');
        if (end < 0)
            return null;
        var fields = stat[(end + 2)..].Split(' ');
        // After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
        return (int.Parse(fields[1]), long.Parse(fields[11]) + long.Parse(fields[12]) + long.Parse(fields[13]) + long.Parse(fields[14]));
    }

    static double ClockTicks()
    {
        const int ClockTicksName = 2; // _SC_CLK_TCK on Linux
        var ticks = SystemConfiguration(ClockTicksName);
        return ticks > 0 ? ticks : 100;
    }

    // C long: 64 bits on the 64-bit Linux this runs on.
    [DllImport("libc", EntryPoint = "sysconf")]
    static extern long SystemConfiguration(int name);
}
