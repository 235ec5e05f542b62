using System.Globalization;

namespace ClosedLoop.Bench.Load.Reporting;

/// <summary>
/// CPU time consumed so far, from /proc: one process, a process and its children (the PostgreSQL
/// postmaster and its backends), or the whole machine (busy time of every core). Differences over the
/// measured window show where the cores went, and how much went to other work on the machine.
/// </summary>
internal sealed class CpuMeter
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every mainstream Linux build.
    private readonly Func<double> _read;

    private CpuMeter(string name, Func<double> read)
    {
        Name = name;
        _read = read;
    }

    public string Name { get; }

    public static CpuMeter Process(string name, int pid) => new(name, () => ProcessSeconds(pid) ?? 0);

    public static CpuMeter ProcessTree(string name, int rootPid) => new(name, () => TreeSeconds(rootPid));

    public static CpuMeter Machine() => new("machine", MachineBusySeconds);

    /// <summary>
    /// The .NET runtime's tiered-compilation thread of a process (its re-compilation of hot methods with full
    /// optimization): while it still works, the process is not warm yet. That thread ends after a few idle seconds and
    /// a new one starts when there is work again, so every such thread ever seen counts with the last CPU time read
    /// of it, and a timer reads them every 100 ms (a thread that starts and ends between two reads is missed).
    /// </summary>
    public static CpuMeter Jit(int pid)
    {
        var seen = new Dictionary<int, double>();
        double Sample()
        {
            lock (seen)
            {
                foreach (var (tid, seconds) in ThreadSeconds(pid, ".NET Tiered Com"))
                {
                    seen[tid] = seconds;
                }

                return seen.Values.Sum();
            }
        }

        var timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        return new("jit", () =>
        {
            GC.KeepAlive(timer);
            return Sample();
        });
    }

    /// <summary>Meters for the API, this driver, the database server's process tree (when it has one) and the machine.</summary>
    public static List<CpuMeter> For(int apiPid, int? databasePid)
    {
        List<CpuMeter> meters = [Process("api", apiPid), Jit(apiPid), Process("driver", Environment.ProcessId), Machine()];
        if (databasePid is { } pid)
        {
            meters.Add(ProcessTree("db", pid));
        }

        return meters;
    }

    public static Dictionary<string, double> Snapshot(IEnumerable<CpuMeter> meters) => meters.ToDictionary(m => m.Name, m => m.Read());

    /// <summary>Average cores each meter kept busy between two snapshots, and "other": the machine's rest.</summary>
    public static string DescribeCores(Dictionary<string, double> before, Dictionary<string, double> after, double seconds)
    {
        double Cores(string name) => after.TryGetValue(name, out var end) ? (end - before[name]) / Math.Max(seconds, 1e-9) : 0;
        var other = Math.Max(0, Cores("machine") - Cores("api") - Cores("db") - Cores("driver"));
        return string.Create(CultureInfo.InvariantCulture,
            $"cores: api {Cores("api"):N2} (of which the JIT's tier-up {Cores("jit"):N2}), db {Cores("db"):N2}, driver {Cores("driver"):N2}, other {other:N2}");
    }

    /// <summary>CPU seconds used so far (0 where /proc is unavailable).</summary>
    public double Read()
    {
        try
        {
            return _read();
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static double? ProcessSeconds(int pid) => Stat(pid) is { } stat ? stat.Seconds : null;

    /// <summary>CPU seconds of each of the process's threads whose name (as /proc shows it, 15 characters) starts with <paramref name="prefix"/>.</summary>
    private static List<(int Tid, double Seconds)> ThreadSeconds(int pid, string prefix)
    {
        var threads = new List<(int Tid, double Seconds)>();
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories($"/proc/{pid}/task").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return threads; // The process has ended.
        }

        foreach (var directory in directories)
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // The thread ended meanwhile.
            }

            var open = text.IndexOf('(', StringComparison.Ordinal);
            if (text.AsSpan(open + 1).StartsWith(prefix, StringComparison.Ordinal))
            {
                threads.Add((int.Parse(Path.GetFileName(directory), CultureInfo.InvariantCulture), Ticks(text) / TicksPerSecond));
            }
        }

        return threads;
    }

    private static double TreeSeconds(int rootPid)
    {
        var total = ProcessSeconds(rootPid) ?? 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { Parent: var parent, Seconds: var seconds } && parent == rootPid)
            {
                total += seconds;
            }
        }

        return total;
    }

    /// <summary>utime + stime of /proc/&lt;pid&gt;/stat (fields 14 and 15) and the parent (field 4).</summary>
    private static (int Parent, double Seconds)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var parent = int.Parse(Fields(text)[1], CultureInfo.InvariantCulture);
        return (parent, Ticks(text) / TicksPerSecond);
    }

    // The command name (field 2) may contain spaces; the fields after its closing parenthesis start at field 3.
    private static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    private static long Ticks(string stat)
    {
        var fields = Fields(stat);
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static double MachineBusySeconds()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = fields.Take(8).Sum() - fields[3] - fields[4];
        return busy / TicksPerSecond;
    }
}
