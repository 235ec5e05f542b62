using ClosedLoop.Testing.Postgres;
using ClosedLoop.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClosedLoop.Messaging.Tests;

/// <summary>A fresh database per test class, holding the two test modules' tables (no migrations).</summary>
public abstract class TestDatabase : IAsyncLifetime
{
    internal abstract DatabaseProvider Provider { get; }

    internal string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        await using var replica = Replica.Start(this, output: null);
        await using var scope = replica.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().Database.EnsureCreatedAsync();
        // EnsureCreated leaves a database that already has tables alone, so the second module creates its own.
        var shipping = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
        await shipping.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
    }

    public abstract Task DisposeAsync();

    /// <summary>Where a module's table lives: (schema, table) on PostgreSQL, (null, prefixed table) on SQLite.</summary>
    internal abstract (string? Schema, string Table) Locate(string schema, string table);

    /// <summary>Every user table in the database.</summary>
    internal abstract Task<IReadOnlyList<(string? Schema, string Table)>> TablesAsync();

    private protected abstract Task<string> CreateDatabaseAsync();
}

public sealed class SqliteDatabase : TestDatabase
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"closedloop-messaging-{Guid.NewGuid():N}.db");

    internal override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    internal override (string? Schema, string Table) Locate(string schema, string table) => (null, $"{schema}_{table}");

    internal override async Task<IReadOnlyList<(string? Schema, string Table)>> TablesAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
        var tables = new List<(string?, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add((null, reader.GetString(0)));
        }

        return tables;
    }

    private protected override async Task<string> CreateDatabaseAsync()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _path }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // As the migrator does in production: WAL, so readers and the one writer proceed together.
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync();
        return connectionString;
    }
}

public sealed class PostgresDatabase : TestDatabase
{
    private readonly string _name = $"t_{Guid.NewGuid():N}";
    private PostgresServer? _server;

    internal override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    public override async Task DisposeAsync()
    {
        if (_server is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_server.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    internal override (string? Schema, string Table) Locate(string schema, string table) => (schema, table);

    internal override async Task<IReadOnlyList<(string? Schema, string Table)>> TablesAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_schema, table_name FROM information_schema.tables " +
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
            connection);
        var tables = new List<(string?, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add((reader.GetString(0), reader.GetString(1)));
        }

        return tables;
    }

    private protected override async Task<string> CreateDatabaseAsync()
    {
        _server = await PostgresServer.SharedAsync();
        await using var connection = new NpgsqlConnection(_server.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return _server.ConnectionString(_name);
    }
}

/// <summary>
/// The PostgreSQL server every test class in this assembly shares: the one CLOSEDLOOP_TEST_POSTGRES names
/// (server-level connection string), or else a throw-away local cluster started on first use.
/// </summary>
internal sealed class PostgresServer
{
    public const string Variable = "CLOSEDLOOP_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private readonly Func<string, string> _connectionString;

    private PostgresServer(Func<string, string> connectionString) => _connectionString = connectionString;

    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    public string ConnectionString(string database) => _connectionString(database);

    private static async Task<PostgresServer> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new PostgresServer(database => new NpgsqlConnectionStringBuilder(configured) { Database = database }.ConnectionString);
        }

        var cluster = await LocalPostgres.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return new PostgresServer(cluster.ConnectionString);
    }
}
