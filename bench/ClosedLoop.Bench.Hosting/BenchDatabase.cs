using ClosedLoop.Testing.Postgres;
using Npgsql;

namespace ClosedLoop.Bench.Hosting;

/// <summary>Where the benchmark's databases live: fresh, empty ones on demand, all thrown away at the end.</summary>
public abstract class BenchDatabase : IAsyncDisposable
{
    public abstract Provider Provider { get; }

    /// <summary>What the results table says about the engine's settings.</summary>
    public abstract string Description { get; }

    public static Task<BenchDatabase> StartAsync(Provider provider, CancellationToken cancellationToken) => StartAsync(provider, null, cancellationToken);

    /// <summary>As <see cref="StartAsync(Provider, CancellationToken)"/>; <paramref name="serverLog"/> receives the PostgreSQL server's log, line by line.</summary>
    public static async Task<BenchDatabase> StartAsync(Provider provider, Action<string>? serverLog, CancellationToken cancellationToken) => provider switch
    {
        Provider.Sqlite => new SqliteDatabases(),
        _ => new PostgresDatabases(await LocalPostgres.StartAsync(serverLog, cancellationToken)),
    };

    /// <summary>The database server's main process (its backends are its children), or null when it runs in-process.</summary>
    public virtual int? ServerProcessId => null;

    /// <summary>A new, empty database (or file) named <paramref name="name"/>; its connection string.</summary>
    public abstract Task<string> CreateAsync(string name, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    private sealed class SqliteDatabases : BenchDatabase
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("closedloop-bench-").FullName;

        public override Provider Provider => Provider.Sqlite;

        public override string Description => $"SQLite file in {_directory} (WAL, synchronous=FULL default)";

        public override Task<string> CreateAsync(string name, CancellationToken cancellationToken)
        {
            var file = Path.Combine(_directory, name + ".db");
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }

            return Task.FromResult($"Data Source={file}");
        }

        public override ValueTask DisposeAsync()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresDatabases(LocalPostgres server) : BenchDatabase
    {
        public override Provider Provider => Provider.PostgreSql;

        public override int? ServerProcessId =>
            int.TryParse(File.ReadLines(Path.Combine(server.DataDirectory, "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null;

        public override string Description => $"PostgreSQL 15, throw-away cluster on 127.0.0.1:{server.Port} (LocalPostgres: fsync=off, synchronous_commit=off)";

        public override async Task<string> CreateAsync(string name, CancellationToken cancellationToken)
        {
            await using (var admin = new NpgsqlConnection(server.ConnectionString("postgres")))
            {
                await admin.OpenAsync(cancellationToken);
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync(cancellationToken);
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            return server.ConnectionString(name);
        }

        public override async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await server.DisposeAsync();
        }
    }
}
