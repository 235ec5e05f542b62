using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ClosedLoop.AppHost.Tests;

/// <summary>
/// Runs the built AppHost as its own process in a temp working directory and reads its console, the
/// way Aspire.Hosting.Testing drives an AppHost. Disposing kills whatever is left, even after a failed test.
/// </summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    private static readonly string AppHostDll = typeof(AppHostOptions).Assembly.Location;

    private readonly Process _process;
    private readonly Task _exited;
    private readonly ITestOutputHelper _output;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();

    private AppHostProcess(Process process, string workingDirectory, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
        WorkingDirectory = workingDirectory;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Completes after the exit and after the output pipes drained.
        _exited = process.WaitForExitAsync();
    }

    public string WorkingDirectory { get; }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

    public static AppHostProcess Start(ITestOutputHelper output, params string[] arguments) =>
        Start(output, new Dictionary<string, string>(), arguments);

    public static AppHostProcess Start(ITestOutputHelper output, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("closedloop-apphost-test-").FullName;
        var startInfo = new ProcessStartInfo(ApiProject.DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(AppHostDll);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }
        return new AppHostProcess(new Process { StartInfo = startInfo }, workingDirectory, output);
    }

    /// <summary>Waits for a console line matching <paramref name="pattern"/>; fails early if the AppHost exits first.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var exitedBeforeLooking = _exited.IsCompleted;
            lock (_gate)
            {
                foreach (var line in _lines)
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return match;
                    }
                }
            }
            if (exitedBeforeLooking)
            {
                Assert.Fail($"The AppHost exited with code {_process.ExitCode} before printing /{pattern}/:{Environment.NewLine}{Output}");
            }
            if (deadline.Elapsed > timeout)
            {
                Assert.Fail($"The AppHost did not print /{pattern}/ within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
            }
            await Task.Delay(200);
        }
    }

    public void Signal(int signal) => Assert.True(Posix.Signal(_process.Id, signal), $"Could not signal the AppHost (pid {_process.Id}).");

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The AppHost did not exit within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>The AppHost's direct children (the API processes), read from /proc.</summary>
    public IReadOnlyList<int> ChildProcessIds() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is not null && name.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == _process.Id)];

    public async ValueTask DisposeAsync()
    {
        if (!_exited.IsCompleted)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                await _exited.WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                // Gone already, or stuck beyond help; either way the test has reported what matters.
            }
        }
        await StopLeftoverPostgresAsync();
        _process.Dispose();
        Directory.Delete(WorkingDirectory, recursive: true);
    }

    // A killed AppHost cannot stop its PostgreSQL (pg_ctl detaches it), so the test does.
    private async Task StopLeftoverPostgresAsync()
    {
        foreach (Match match in PostgresLine().Matches(Output))
        {
            var root = match.Groups["dir"].Value;
            var data = Path.Combine(root, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")) && PostgresBinaries.TryLocate(out var binaries, out _))
            {
                var (fileName, arguments) = binaries.Command("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]);
                await ProcessRunner.RunAsync(fileName, arguments, root, CancellationToken.None);
            }
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Gone already: LocalPostgres' watchdog got there first.
            }
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _lines.Add(line);
        }
        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; the line is still in Output.
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid ..."; comm may contain spaces, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"PostgreSQL listening on 127\.0\.0\.1:(?<port>\d+), data in (?<dir>\S+)")]
    public static partial Regex PostgresLine();
}
