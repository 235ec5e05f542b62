using System.ComponentModel;
using System.Diagnostics;

namespace ClosedLoop.AppHost;

/// <summary>Starts the resources in dependency order, waits until they are ready, watches them, and stops them all.</summary>
internal sealed class Orchestrator(AppHostOptions options, ApiProject api, ConsoleSink console)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan MigrateTimeout = TimeSpan.FromSeconds(300);

    // Databases and mail servers stop after the API processes that use them.
    private readonly List<IResource> _infrastructure = [];
    private readonly List<IResource> _apps = [];
    private readonly string _workingDirectory = Environment.CurrentDirectory;

    /// <summary>Runs until <paramref name="stop"/> (0) or until something fails or dies (1).</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        try
        {
            console.Info($"ClosedLoop.Api: {api.DllPath}");
            var database = await StartDatabaseAsync(stop);
            if (options.Replicas > 1)
            {
                // Replicas must not race each other's migrations: one process migrates, then all start without.
                await MigrateAsync(database, stop);
            }
            for (var i = 0; i < options.Replicas; i++)
            {
                await StartAsync(_apps, CreateApi(i, database), stop);
            }
            await WaitAllReadyAsync(_apps, stop);
            PrintUrls(database);
            return await WatchAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (AppHostException failure)
        {
            console.Error(failure.Message);
            return 1;
        }
        finally
        {
            await StopAllAsync();
        }
    }

    private async Task<Database> StartDatabaseAsync(CancellationToken stop)
    {
        if (!options.Postgres)
        {
            var file = Path.Combine(_workingDirectory, ".closedloop", "closedloop.db");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            return new Database("Sqlite", $"Data Source={file}", $"SQLite at {file}");
        }
        var postgres = new PostgresResource(console);
        await StartAsync(_infrastructure, postgres, stop);
        await WaitReadyAsync(postgres, stop);
        var server = postgres.Server;
        console.Info($"PostgreSQL listening on 127.0.0.1:{server.Port}, data in {server.RootDirectory}");
        return new Database("PostgreSql", server.ConnectionString("closedloop"), $"PostgreSQL at 127.0.0.1:{server.Port}");
    }

    private async Task MigrateAsync(Database database, CancellationToken stop)
    {
        var migrate = new ProcessResource("migrate", ApiStartInfo("migrate", database, migrateOnStartup: false, "migrate"), console);
        await StartAsync(_apps, migrate, stop);
        int exitCode;
        try
        {
            exitCode = await migrate.ExitCode.WaitAsync(MigrateTimeout, stop);
        }
        catch (TimeoutException)
        {
            throw new AppHostException($"migrate did not finish within {MigrateTimeout.TotalSeconds:0} s.");
        }
        _apps.Remove(migrate);
        await migrate.DisposeAsync();
        if (exitCode != 0)
        {
            throw new AppHostException($"migrate exited with code {exitCode}; not starting the API.");
        }
    }

    private ProcessResource CreateApi(int replica, Database database)
    {
        var name = $"api-{replica}";
        var baseUrl = BaseUrl(replica);
        var startInfo = ApiStartInfo(name, database, migrateOnStartup: options.Replicas == 1);
        startInfo.Environment["ASPNETCORE_URLS"] = baseUrl;
        var health = new Uri($"{baseUrl}/health");
        return new ProcessResource(name, startInfo, console, ct => HealthWaiter.WaitAsync(health, ReadyTimeout, ct));
    }

    private ProcessStartInfo ApiStartInfo(string instance, Database database, bool migrateOnStartup, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(ApiProject.DotnetHost()) { WorkingDirectory = _workingDirectory };
        startInfo.ArgumentList.Add(api.DllPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        var environment = startInfo.Environment;
        // Inherited URL settings would fight the one assigned per replica.
        environment.Remove("ASPNETCORE_URLS");
        environment.Remove("ASPNETCORE_HTTP_PORTS");
        environment.Remove("ASPNETCORE_HTTPS_PORTS");
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["ASPNETCORE_CONTENTROOT"] = api.ContentRoot;
        environment["Database__Provider"] = database.Provider;
        environment["ConnectionStrings__closedloop"] = database.ConnectionString;
        environment["Database__MigrateOnStartup"] = migrateOnStartup ? "true" : "false";
        // Aspire's names: the service is the resource, each process an instance. OTEL_EXPORTER_OTLP_* pass through as inherited.
        environment["OTEL_SERVICE_NAME"] = "api";
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance}";
        return startInfo;
    }

    private static async Task StartAsync(List<IResource> group, IResource resource, CancellationToken stop)
    {
        // Tracked before starting so a half-started resource is still stopped.
        group.Add(resource);
        try
        {
            await resource.StartAsync(stop);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            throw new AppHostException($"{resource.Name} failed to start: {e.Message}");
        }
    }

    private static async Task WaitAllReadyAsync(IEnumerable<IResource> resources, CancellationToken stop)
    {
        // The first failure ends the wait for the others instead of leaving them to time out.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var pending = resources.Select(r => WaitReadyAsync(r, waiting.Token)).ToList();
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                await done;
            }
        }
        finally
        {
            await waiting.CancelAsync();
        }
    }

    private static async Task WaitReadyAsync(IResource resource, CancellationToken stop)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var ready = resource.WaitReadyAsync(waiting.Token);
        if (await Task.WhenAny(ready, resource.Stopped) != ready)
        {
            await waiting.CancelAsync();
            throw new AppHostException($"{resource.Name} {await resource.Stopped} before it became ready.");
        }
        try
        {
            await ready;
        }
        catch (TimeoutException e)
        {
            throw new AppHostException($"{resource.Name} did not become ready: {e.Message}");
        }
    }

    private async Task<int> WatchAsync(CancellationToken stop)
    {
        var watched = _infrastructure.Concat(_apps).Select(async r => (r.Name, Reason: await r.Stopped)).ToList();
        try
        {
            var (name, reason) = await await Task.WhenAny(watched).WaitAsync(stop);
            // Ctrl+C in a terminal signals the API too; it may exit a moment before our own handler runs.
            await Task.Delay(TimeSpan.FromMilliseconds(500), stop);
            console.Error($"{name} {reason} unexpectedly; stopping everything.");
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
    }

    private async Task StopAllAsync()
    {
        if (_apps.Count + _infrastructure.Count == 0)
        {
            return;
        }
        console.Info("Stopping...");
        await Task.WhenAll(_apps.Select(r => r.DisposeAsync().AsTask()));
        await Task.WhenAll(_infrastructure.Select(r => r.DisposeAsync().AsTask()));
        _apps.Clear();
        _infrastructure.Clear();
        console.Info("Stopped.");
    }

    private void PrintUrls(Database database)
    {
        console.Info($"ClosedLoop is ready ({database.Description}):");
        for (var i = 0; i < options.Replicas; i++)
        {
            console.Info($"  API         {BaseUrl(i)}  (api-{i})");
        }
        console.Info($"  Swagger UI  {BaseUrl(0)}/swagger");
        console.Info($"  Health      {BaseUrl(0)}/health");
        console.Info("Press Ctrl+C to stop.");
    }

    private string BaseUrl(int replica) => $"http://localhost:{options.Port + replica}";

    private sealed record Database(string Provider, string ConnectionString, string Description);

    private sealed class AppHostException(string message) : Exception(message);
}
