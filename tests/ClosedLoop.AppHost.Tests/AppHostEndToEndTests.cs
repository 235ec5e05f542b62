using System.Net;
using System.Text.RegularExpressions;

namespace ClosedLoop.AppHost.Tests;

/// <summary>
/// The AppHost started as `dotnet ClosedLoop.AppHost.dll`, against the real API, from a temp working
/// directory; each test ends with the AppHost and everything it started gone.
/// </summary>
public sealed class AppHostEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Runs_the_api_on_sqlite_in_its_working_directory_and_stops_it_on_sigterm()
    {
        var port = Ports.FreeTcpPort();
        await using var host = AppHostProcess.Start(output, "--port", $"{port}");

        await host.WaitForLineAsync(SwaggerLine(port), StartTimeout);
        Assert.Contains($"[apphost]   Health      http://localhost:{port}/health", host.Output, StringComparison.Ordinal);
        Assert.Contains("[api-0] ", host.Output, StringComparison.Ordinal);
        await AssertServesAsync(port);
        Assert.True(File.Exists(Path.Combine(host.WorkingDirectory, ".closedloop", "closedloop.db")), "The SQLite file is not in the AppHost's working directory.");

        host.Signal(Posix.SIGTERM);

        Assert.Equal(0, await host.WaitForExitAsync(StopTimeout));
        Assert.False(await Ports.AcceptsConnectionsAsync(port), "The API still answers after the AppHost stopped.");
    }

    [Fact]
    public async Task Runs_two_replicas_on_a_throwaway_postgres_and_removes_it_on_sigterm()
    {
        var port = Ports.FreeTcpPorts(2);
        await using var host = AppHostProcess.Start(output, "--postgres", "--replicas", "2", "--port", $"{port}");

        await host.WaitForLineAsync(SwaggerLine(port), StartTimeout);
        var postgres = await host.WaitForLineAsync(AppHostProcess.PostgresLine(), TimeSpan.Zero);
        var postgresPort = int.Parse(postgres.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var postgresDirectory = postgres.Groups["dir"].Value;
        Assert.Contains("[migrate] ", host.Output, StringComparison.Ordinal);
        Assert.Contains("[postgres] ", host.Output, StringComparison.Ordinal);
        await AssertServesAsync(port);
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(port + 1, "/health"));
        Assert.True(Directory.Exists(postgresDirectory));

        host.Signal(Posix.SIGTERM);

        Assert.Equal(0, await host.WaitForExitAsync(StopTimeout));
        Assert.False(await Ports.AcceptsConnectionsAsync(port), "api-0 still answers after the AppHost stopped.");
        Assert.False(await Ports.AcceptsConnectionsAsync(port + 1), "api-1 still answers after the AppHost stopped.");
        Assert.False(await Ports.AcceptsConnectionsAsync(postgresPort), "PostgreSQL still answers after the AppHost stopped.");
        Assert.False(Directory.Exists(postgresDirectory), "The PostgreSQL directory survived the AppHost.");
    }

    [Fact]
    public async Task Stops_everything_and_exits_with_1_when_the_api_dies()
    {
        var port = Ports.FreeTcpPort();
        await using var host = AppHostProcess.Start(output, "--port", $"{port}");
        await host.WaitForLineAsync(SwaggerLine(port), StartTimeout);

        var api = Assert.Single(host.ChildProcessIds());
        Assert.True(Posix.Signal(api, 9), "Could not kill the API process.");

        Assert.Equal(1, await host.WaitForExitAsync(StopTimeout));
        Assert.Contains("api-0 exited with code 137 unexpectedly; stopping everything.", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_apphost_leaves_no_postgres_behind()
    {
        var port = Ports.FreeTcpPort();
        await using var host = AppHostProcess.Start(output, "--postgres", "--port", $"{port}");
        await host.WaitForLineAsync(SwaggerLine(port), StartTimeout);
        var postgres = await host.WaitForLineAsync(AppHostProcess.PostgresLine(), TimeSpan.Zero);
        var postgresPort = int.Parse(postgres.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var postgresDirectory = postgres.Groups["dir"].Value;
        var api = Assert.Single(host.ChildProcessIds());

        // No chance to clean up: what a test runner's timeout or an OOM kill does.
        host.Signal(9);
        Posix.Signal(api, 9);
        Assert.Equal(137, await host.WaitForExitAsync(StopTimeout));

        var deadline = DateTime.UtcNow + StopTimeout;
        while (Directory.Exists(postgresDirectory) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        Assert.False(Directory.Exists(postgresDirectory), "The PostgreSQL directory survived a killed AppHost.");
        Assert.False(await Ports.AcceptsConnectionsAsync(postgresPort), "PostgreSQL still answers after its AppHost was killed.");
    }

    [Fact]
    public async Task Exits_with_1_when_the_api_cannot_start()
    {
        var port = Ports.FreeTcpPort();
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
        squatter.Start();

        await using var host = AppHostProcess.Start(output, "--port", $"{port}");

        Assert.Equal(1, await host.WaitForExitAsync(StartTimeout));
        Assert.Matches(@"\[apphost\] api-0 exited with code \d+ before it became ready\.", host.Output);
        Assert.DoesNotContain("ClosedLoop is ready", host.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _http.Dispose();

    private async Task AssertServesAsync(int port)
    {
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(port, "/health"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(port, "/alive"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(port, "/swagger/index.html"));

        using var document = await _http.GetAsync(new Uri($"http://localhost:{port}/swagger/v1/swagger.json"));
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Contains("\"openapi\"", await document.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpStatusCode> StatusOfAsync(int port, string path)
    {
        using var response = await _http.GetAsync(new Uri($"http://localhost:{port}{path}"));
        return response.StatusCode;
    }

    private static Regex SwaggerLine(int port) => new($@"^\[apphost\]\s+Swagger UI\s+http://localhost:{port}/swagger$");
}
