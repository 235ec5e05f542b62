using System.Text;

namespace ClosedLoop.AppHost.Tests;

/// <summary>Processes still running (not zombies) whose command line or environment mentions a marker of one test's run.</summary>
internal static class Leftovers
{
    public static List<string> Find(params string[] markers)
    {
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                if (stat.AsSpan(stat.LastIndexOf(')') + 1).TrimStart() is ['Z', ..])
                {
                    continue;
                }

                var command = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, "cmdline"))).Replace('\0', ' ');
                var environment = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, "environ")));
                if (markers.Any(m => command.Contains(m, StringComparison.Ordinal) || environment.Contains(m, StringComparison.Ordinal)))
                {
                    found.Add($"{pid}: {command}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone while being read, or not ours to read.
            }
        }

        return found;
    }

    /// <summary>Waits (generously: a loaded machine stops processes slowly) until no process mentions the markers.</summary>
    public static async Task AssertNoneAsync(TimeSpan patience, params string[] markers)
    {
        var deadline = DateTime.UtcNow + patience;
        List<string> left;
        while ((left = Find(markers)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        Assert.True(left.Count == 0, "Still running:\n" + string.Join("\n", left));
    }
}
