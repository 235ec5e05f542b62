using System.Globalization;

namespace ClosedLoop.Bench.Workflows;

/// <summary>
/// CPU time from <c>/proc</c>: the API process, and the PostgreSQL server (postmaster and the backends it forked,
/// which a pooled API keeps alive) when there is one; read before and after a measurement.
/// </summary>
internal sealed class CpuMeter(int apiPid, int? serverPid)
{
    private static readonly double TicksPerSecond = 100;

    public (TimeSpan Api, TimeSpan Server, TimeSpan Machine) Read() =>
        (Process(apiPid), serverPid is { } s ? Tree(s) : TimeSpan.Zero, MachineBusy());

    private static TimeSpan Process(int pid)
    {
        var fields = Stat(pid);
        return fields is null ? TimeSpan.Zero : Ticks(fields[11], fields[12]);
    }

    private static TimeSpan Tree(int root)
    {
        var total = Process(root);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != root && Stat(pid) is { } fields && fields[1] == root.ToString(CultureInfo.InvariantCulture))
            {
                total += Ticks(fields[11], fields[12]);
            }
        }

        return total;
    }

    /// <summary>Busy time of every core (user, nice, system, irq, softirq, steal).</summary>
    private static TimeSpan MachineBusy()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var busy = new[] { 1, 2, 3, 6, 7, 8 }.Sum(i => long.Parse(cpu[i], CultureInfo.InvariantCulture));
        return TimeSpan.FromSeconds(busy / TicksPerSecond);
    }

    /// <summary>The fields after the command name: [0] state, [1] ppid, … [11] utime, [12] stime.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static TimeSpan Ticks(string user, string system) =>
        TimeSpan.FromSeconds((long.Parse(user, CultureInfo.InvariantCulture) + long.Parse(system, CultureInfo.InvariantCulture)) / TicksPerSecond);
}
