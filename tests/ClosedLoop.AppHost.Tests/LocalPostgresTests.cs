namespace ClosedLoop.AppHost.Tests;

public sealed class LocalPostgresTests(ITestOutputHelper output)
{
    [Fact]
    public void The_binaries_are_found_on_this_machine()
    {
        Assert.True(LocalPostgres.IsAvailable(out var reason), reason);
    }

    [Fact]
    public async Task Starts_a_cluster_that_trusts_postgres_and_dispose_removes_it_completely()
    {
        var postgres = await LocalPostgres.StartAsync(output.WriteLine);
        int port;
        try
        {
            port = postgres.Port;
            Assert.True(File.Exists(Path.Combine(postgres.DataDirectory, "PG_VERSION")));
            Assert.StartsWith(Path.GetTempPath(), postgres.RootDirectory, StringComparison.Ordinal);
            Assert.Equal($"Host=127.0.0.1;Port={port};Username=postgres;Database=app", postgres.ConnectionString("app"));

            await PostgresWire.LogInAsync(port, user: "postgres", database: "postgres");
        }
        finally
        {
            await postgres.DisposeAsync();
        }

        Assert.False(Directory.Exists(postgres.RootDirectory), "The cluster directory survived DisposeAsync.");
        Assert.False(await Ports.AcceptsConnectionsAsync(port), $"Port {port} still accepts connections after DisposeAsync.");
        await postgres.DisposeAsync(); // A second dispose is a no-op, not an error.
    }

    [Fact]
    public async Task Two_clusters_run_side_by_side_on_different_ports()
    {
        await using var first = await LocalPostgres.StartAsync(output.WriteLine);
        await using var second = await LocalPostgres.StartAsync(output.WriteLine);

        Assert.NotEqual(first.Port, second.Port);
        Assert.NotEqual(first.RootDirectory, second.RootDirectory);
        await PostgresWire.LogInAsync(first.Port, "postgres", "postgres");
        await PostgresWire.LogInAsync(second.Port, "postgres", "postgres");
    }
}
