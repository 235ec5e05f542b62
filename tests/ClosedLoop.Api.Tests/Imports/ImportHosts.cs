using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Api.Tests.Imports;

/// <summary>
/// A host on a database that outlives it, so a test can stop one host mid-way and start another on the
/// same data, the way a restart or a second replica would.
/// </summary>
public sealed class SharedDatabaseFactory(
    DatabaseProvider provider,
    string connectionString,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? services = null)
    : ApiFactory
{
    public override DatabaseProvider Provider => provider;

    /// <summary>The database exists already (see <see cref="SharedDatabase"/>).</summary>
    public override Task InitializeAsync() => Task.CompletedTask;

    protected override void Configure(IDictionary<string, string?> values)
    {
        values["ConnectionStrings:closedloop"] = connectionString;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }
}

/// <summary>An empty database of its own for hosts started one after another; deleted at the end (SQLite).</summary>
public sealed class SharedDatabase : IAsyncDisposable
{
    private readonly string? _sqliteFile;

    private SharedDatabase(DatabaseProvider provider, string connectionString, string? sqliteFile)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteFile = sqliteFile;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public static async Task<SharedDatabase> CreateAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            return new SharedDatabase(provider, await TestPostgres.CreateDatabaseAsync(), null);
        }

        var folder = Path.Combine(Path.GetTempPath(), "closedloop-tests");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db");
        return new SharedDatabase(provider, $"Data Source={file}", file);
    }

    /// <summary>A host on this database with extra settings (e.g. <c>Imports:ChunkSize</c>) and test services (a clock, say).</summary>
    public SharedDatabaseFactory Host(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        new(Provider, ConnectionString, settings, services);

    public ValueTask DisposeAsync()
    {
        if (_sqliteFile is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" })
            {
                File.Delete(file);
            }
        }

        return ValueTask.CompletedTask;
    }
}
