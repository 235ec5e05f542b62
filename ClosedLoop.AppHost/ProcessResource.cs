using System.Diagnostics;

namespace ClosedLoop.AppHost;

/// <summary>A child process whose output lines are prefixed with its name, stopped gracefully with a signal.</summary>
internal sealed class ProcessResource : IResource
{
    // ASP.NET Core's default shutdown timeout is 30 s, but a dev loop should not wait that long for a hung process.
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(10);

    private readonly ProcessStartInfo _startInfo;
    private readonly ConsoleSink _console;
    private readonly Func<CancellationToken, Task>? _readiness;
    private readonly TaskCompletionSource<int> _exitCode = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    public ProcessResource(string name, ProcessStartInfo startInfo, ConsoleSink console, Func<CancellationToken, Task>? readiness = null)
    {
        Name = name;
        _startInfo = startInfo;
        _console = console;
        _readiness = readiness;
        _startInfo.UseShellExecute = false;
        _startInfo.RedirectStandardOutput = true;
        _startInfo.RedirectStandardError = true;
        Stopped = DescribeExitAsync();
    }

    public string Name { get; }

    public Task<int> ExitCode => _exitCode.Task;

    public Task<string> Stopped { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var process = new Process { StartInfo = _startInfo };
        process.OutputDataReceived += (_, e) => Forward(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Forward(e.Data, error: true);
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = ObserveExitAsync(process);
        return Task.CompletedTask;
    }

    public Task WaitReadyAsync(CancellationToken cancellationToken) => _readiness?.Invoke(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        // SIGTERM, not SIGINT: a shell starts background jobs with SIGINT ignored, and children inherit that.
        if (!process.HasExited && Posix.Signal(process.Id, Posix.SIGTERM) && !await ExitsWithinAsync(GracePeriod))
        {
            _console.Error($"{Name} did not stop within {GracePeriod.TotalSeconds:0} s of SIGTERM; killing it.");
        }
        if (!ExitCode.IsCompleted)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
            await ExitsWithinAsync(TimeSpan.FromSeconds(5));
        }
        process.Dispose();
    }

    private void Forward(string? line, bool error)
    {
        if (line is not null)
        {
            _console.Line(Name, line, error);
        }
    }

    private async Task ObserveExitAsync(Process process)
    {
        // Also waits for the output pipes to drain, so the last lines are printed before anyone reacts to the exit.
        await process.WaitForExitAsync(CancellationToken.None);
        _exitCode.TrySetResult(process.ExitCode);
    }

    private async Task<bool> ExitsWithinAsync(TimeSpan timeout)
    {
        try
        {
            await ExitCode.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<string> DescribeExitAsync() => $"exited with code {await ExitCode}";
}
