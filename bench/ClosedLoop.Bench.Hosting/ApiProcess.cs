using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace ClosedLoop.Bench.Hosting;

/// <summary>
/// ClosedLoop.Api as a separate process on a free loopback port, the way it is deployed: started with
/// <c>dotnet ClosedLoop.Api.dll --port N</c>, ready once <c>/health</c> answers 200, stopped with SIGTERM.
/// Its log goes to a file (echoed with <c>--verbose</c>) so a full pipe can never stall it.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);
    private readonly Process _process;
    private readonly StreamWriter _log;
    private bool _keepLog;

    private ApiProcess(Process process, StreamWriter log, Uri baseAddress, string logPath)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        LogPath = logPath;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public string LogPath { get; }

    public static async Task<ApiProcess> StartAsync(ApiOptions options, Provider provider, string connectionString, CancellationToken cancellationToken)
    {
        var port = ApiLaunch.FreePort();
        var startInfo = ApiLaunch.StartInfo(options, provider, connectionString, port);
        var logPath = Path.Combine(Path.GetTempPath(), $"closedloop-bench-api-{port}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Forward(log, e.Data, options.Verbose);
        process.ErrorDataReceived += (_, e) => Forward(log, e.Data, options.Verbose);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, log, new Uri($"http://127.0.0.1:{port}/"), logPath);
        try
        {
            await api.WaitHealthyAsync(cancellationToken);
            return api;
        }
        catch
        {
            api._keepLog = true;
            await api.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = kill(_process.Id, SIGTERM);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }

        if (!_keepLog)
        {
            File.Delete(LogPath);
        }
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                throw new BenchException($"ClosedLoop.Api exited with code {_process.ExitCode} before it was healthy; see {LogPath}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("health", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Busy migrating.
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new BenchException($"ClosedLoop.Api was not healthy within {ReadyTimeout.TotalSeconds:0} s; see {LogPath}.");
    }

    private static void Forward(StreamWriter log, string? line, bool echo)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream.CanWrite)
            {
                log.WriteLine(line);
            }
        }

        if (echo)
        {
            Console.Error.WriteLine($"[api] {line}");
        }
    }

    private const int SIGTERM = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
