using ClosedLoop.Persistence;
using ClosedLoop.Testing.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClosedLoop.Communication.Tests.Delivery;

/// <summary>A fresh, real database for one test: a SQLite file, or a database on the shared PostgreSQL server.</summary>
public abstract class DeliveryDatabase : IAsyncDisposable
{
    internal abstract DatabaseProvider Provider { get; }

    internal string ConnectionString { get; private protected set; } = "";

    /// <summary>The module's outbox table, quoted for raw SQL.</summary>
    internal abstract string OutboxTable { get; }

    public abstract ValueTask DisposeAsync();

    internal abstract Task CreateAsync();
}

internal sealed class SqliteDeliveryDatabase : DeliveryDatabase
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"closedloop-delivery-{Guid.NewGuid():N}.db");

    internal override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    internal override string OutboxTable => "\"communication_outbox_messages\"";

    internal override Task CreateAsync()
    {
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = _path }.ToString();
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return ValueTask.CompletedTask;
    }
}

internal sealed class PostgresDeliveryDatabase : DeliveryDatabase
{
    private static readonly Lazy<Task<Func<string, string>>> Server = new(StartServerAsync);
    private readonly string _name = $"t_{Guid.NewGuid():N}";
    private Func<string, string>? _connectionFor;

    internal override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    internal override string OutboxTable => "\"communication\".\"outbox_messages\"";

    internal override async Task CreateAsync()
    {
        _connectionFor = await Server.Value;
        await using var connection = new NpgsqlConnection(_connectionFor("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", connection);
        await command.ExecuteNonQueryAsync();
        ConnectionString = _connectionFor(_name);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connectionFor is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_connectionFor("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The server CLOSEDLOOP_TEST_POSTGRES names, else a throw-away local cluster for the whole run.</summary>
    private static async Task<Func<string, string>> StartServerAsync()
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
