namespace ClosedLoop.AppHost;

/// <summary><see cref="LocalPostgres"/> as an AppHost resource; its tool output and server log are prefixed <c>[postgres]</c>.</summary>
internal sealed class PostgresResource(ConsoleSink console) : IResource
{
    private readonly TaskCompletionSource<string> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LocalPostgres? _server;

    public string Name => "postgres";

    public Task<string> Stopped => _stopped.Task;

    public LocalPostgres Server => _server ?? throw new InvalidOperationException("PostgreSQL has not been started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _server = await LocalPostgres.StartAsync(line => console.Line(Name, line), cancellationToken);
        _ = WatchAsync(_server);
    }

    // pg_ctl start -w returns only once the server accepts connections.
    public Task WaitReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _stopped.TrySetResult("was stopped");
    }

    private async Task WatchAsync(LocalPostgres server)
    {
        await server.WaitForServerExitAsync(CancellationToken.None);
        _stopped.TrySetResult("server process exited");
    }
}
