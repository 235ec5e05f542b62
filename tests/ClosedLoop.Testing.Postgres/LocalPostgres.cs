using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClosedLoop.AppHost.Postgres;

namespace ClosedLoop.Testing.Postgres;

/// <summary>
/// A throw-away PostgreSQL cluster: <c>initdb</c> into a fresh temp directory (trust auth for user
/// <c>postgres</c>), <c>pg_ctl start</c> on a free port on 127.0.0.1, and on dispose
/// <c>pg_ctl stop -m fast</c> and the directory deleted. Used by the AppHost's <c>--postgres</c>
/// and by test projects that need a real PostgreSQL.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private const int StartAttempts = 3;

    private readonly PostgresBinaries _binaries;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stopTail = new();
    private Task _tail = Task.CompletedTask;
    private int _serverProcessId;
    private int _disposed;

    private LocalPostgres(PostgresBinaries binaries, string rootDirectory, Action<string>? log)
    {
        _binaries = binaries;
        RootDirectory = rootDirectory;
        _log = line =>
        {
            try
            {
                log?.Invoke(line);
            }
#pragma warning disable CA1031 // A failing log callback (e.g. a finished test's output helper) must not take the database down.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        };
        // Best effort for a host that exits without disposing: a forgotten cluster would outlive it.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The temp directory holding the cluster (<c>data/</c>), its log and its socket; deleted on dispose.</summary>
    public string RootDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, "data");

    private string LogFile => Path.Combine(RootDirectory, "postgres.log");

    private string PidFile => Path.Combine(DataDirectory, "postmaster.pid");

    /// <summary>Whether the PostgreSQL binaries (and, as root, <c>runuser</c>) were found; otherwise what is missing.</summary>
    public static bool IsAvailable([NotNullWhen(false)] out string? reason) => PostgresBinaries.TryLocate(out _, out reason);

    /// <summary>Creates and starts a cluster; <paramref name="log"/> receives tool output and the server log.</summary>
    public static async Task<LocalPostgres> StartAsync(Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        if (!PostgresBinaries.TryLocate(out var binaries, out var reason))
        {
            throw new InvalidOperationException(reason);
        }
        var server = new LocalPostgres(binaries, Directory.CreateTempSubdirectory("closedloop-pg-").FullName, log);
        try
        {
            await server.InitializeAsync(cancellationToken);
            await server.StartWatchdogAsync();
            await server.StartServerAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An Npgsql connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return $"Host=127.0.0.1;Port={Port};Username={SuperUser};Database={database}";
    }

    /// <summary>Completes when the server process is gone, however it went.</summary>
    internal async Task WaitForServerExitAsync(CancellationToken cancellationToken)
    {
        while (_serverProcessId > 0 && Posix.IsAlive(_serverProcessId))
        {
            await Task.Delay(500, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        try
        {
            if (File.Exists(PidFile))
            {
                var (exitCode, _) = await RunToolAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"], CancellationToken.None);
                if (exitCode != 0 && File.Exists(PidFile))
                {
                    await RunToolAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "10"], CancellationToken.None);
                }
            }
        }
        finally
        {
            await _stopTail.CancelAsync();
            await _tail;
            _stopTail.Dispose();
            DeleteRootDirectory();
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_binaries.RunUser is not null)
        {
            await RunCheckedAsync("chown", ("chown", [$"{SuperUser}:", RootDirectory]), cancellationToken);
        }
        // No fsync, C locale: it is thrown away after the run, and --no-locale avoids missing-locale failures.
        await RunCheckedAsync("initdb", _binaries.Command("initdb",
            ["-D", DataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]), cancellationToken);
    }

    /// <summary>
    /// pg_ctl detaches the server, so a host killed before it disposes us (SIGKILL, a test runner's
    /// timeout) would leave a cluster running. A detached shell stops and deletes it once we are gone,
    /// and exits on its own once the directory is deleted, the way Testcontainers' Ryuk reaps containers.
    /// </summary>
    private async Task StartWatchdogAsync()
    {
        if (OperatingSystem.IsWindows() || PostgresBinaries.OnPath("setsid") is not { } setsid)
        {
            return;
        }
        const string script = """
            exec >/dev/null 2>&1 </dev/null
            owner=$1 root=$2; shift 2
            while kill -0 "$owner" && [ -d "$root" ]; do sleep 1; done
            [ -d "$root" ] || exit 0
            "$@"
            rm -rf "$root"
            """;
        var (pgCtl, stopArguments) = _binaries.Command("pg_ctl", ["stop", "-D", DataDirectory, "-m", "immediate", "-w"]);
        await ProcessRunner.RunAsync(setsid,
            ["--fork", "sh", "-c", script, "closedloop-pg-watchdog", $"{Environment.ProcessId}", RootDirectory, pgCtl, .. stopArguments],
            RootDirectory, CancellationToken.None);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        _tail = TailLogAsync(_stopTail.Token);
        for (var attempt = 1; ; attempt++)
        {
            // A free port can be taken between probing and binding (parallel tests); another try settles it.
            Port = FreeTcpPort();
            var serverOptions = string.Join(' ',
                "-c listen_addresses=127.0.0.1", $"-p {Port}", $"-k '{RootDirectory}'",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c max_connections=1000"); // Replicas and test fixtures each keep their own connection pools (as .ci/run).
            var (exitCode, _) = await RunToolAsync("pg_ctl",
                ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", serverOptions], cancellationToken);
            if (exitCode == 0)
            {
                break;
            }
            if (attempt == StartAttempts || File.Exists(PidFile))
            {
                throw new InvalidOperationException(
                    $"pg_ctl start failed (exit code {exitCode}) on port {Port}. Server log:{Environment.NewLine}{LogTail()}");
            }
            _log($"pg_ctl start failed on port {Port}; retrying on another port.");
        }
        _serverProcessId = int.Parse(File.ReadLines(PidFile).First(), CultureInfo.InvariantCulture);
    }

    private async Task RunCheckedAsync(string name, (string FileName, IReadOnlyList<string> Arguments) command, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunAsync(command, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{name} failed (exit code {exitCode}): {output}");
        }
    }

    private Task<(int ExitCode, string Output)> RunToolAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(_binaries.Command(tool, arguments), cancellationToken);

    private async Task<(int ExitCode, string Output)> RunAsync((string FileName, IReadOnlyList<string> Arguments) command, CancellationToken cancellationToken)
    {
        // Runs inside the cluster's directory: as the postgres user the caller's working directory may be unreadable.
        var result = await ProcessRunner.RunAsync(command.FileName, command.Arguments, RootDirectory, cancellationToken);
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _log(line.TrimEnd('\r'));
        }
        return result;
    }

    private async Task TailLogAsync(CancellationToken stop)
    {
        var pending = new StringBuilder();
        var buffer = new char[4096];
        StreamReader? reader = null;
        try
        {
            while (true)
            {
                reader ??= File.Exists(LogFile)
                    ? new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                    : null;
                int read;
                while (reader is not null && (read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
                {
                    pending.Append(buffer, 0, read);
                    EmitCompleteLines(pending);
                }
                if (stop.IsCancellationRequested)
                {
                    break;
                }
                // Cancellation ends the wait early; the loop then reads what the shutdown wrote before leaving.
                try
                {
                    await Task.Delay(200, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
            if (pending.Length > 0)
            {
                _log(pending.ToString());
            }
        }
        catch (IOException)
        {
            // The log is a convenience; losing its tail must not fail a stop.
        }
        finally
        {
            reader?.Dispose();
        }
    }

    private void EmitCompleteLines(StringBuilder pending)
    {
        var text = pending.ToString();
        var end = text.LastIndexOf('\n');
        if (end < 0)
        {
            return;
        }
        foreach (var line in text[..end].Split('\n'))
        {
            _log(line.TrimEnd('\r'));
        }
        pending.Remove(0, end + 1);
    }

    private string LogTail()
    {
        try
        {
            return string.Join(Environment.NewLine, File.ReadLines(LogFile).TakeLast(15));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    private void DeleteRootDirectory()
    {
        for (var attempt = 1; Directory.Exists(RootDirectory); attempt++)
        {
            try
            {
                Directory.Delete(RootDirectory, recursive: true);
            }
            catch (IOException) when (attempt < 5)
            {
                // A server still exiting can create files while we delete; look again shortly.
                Thread.Sleep(200);
            }
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
