using ClosedLoop.Testing.Postgres;
using Npgsql;

namespace ClosedLoop.Api.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the whole test run: the one named by <c>CLOSEDLOOP_TEST_POSTGRES</c>
/// (a server-level connection string), else a throw-away local cluster. Every fixture gets its own database.
/// </summary>
internal static class TestPostgres
{
    private static readonly Lazy<Task<Func<string, string>>> Server = new(StartAsync);

    public static async Task<string> CreateDatabaseAsync()
    {
        var connectionFor = await Server.Value;
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(connectionFor("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return connectionFor(name);
    }

    private static async Task<Func<string, string>> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("CLOSEDLOOP_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return database => new NpgsqlConnectionStringBuilder(configured) { Database = database }.ConnectionString;
        }

        var cluster = await LocalPostgres.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return cluster.ConnectionString;
    }
}
