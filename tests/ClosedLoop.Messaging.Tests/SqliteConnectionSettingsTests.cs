using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Messaging.Tests;

/// <summary>
/// Every SQLite connection waits for a busy database instead of failing at once, and reads through a page cache
/// larger than SQLite's 2 MiB; both hold for native connections reused from the pool and for new ones.
/// </summary>
public sealed class SqliteConnectionSettingsTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>
{
    [Fact]
    public async Task Every_connection_gets_the_busy_timeout_and_the_page_cache_reused_from_the_pool_or_new()
    {
        await using var replica = Replica.Start(database, output: null);

        // DatabaseOptions: CommandTimeoutSeconds 30 s, SqliteCacheMiB 16 (cache_size in KiB when negative).
        Assert.Equal(Enumerable.Repeat((30_000L, -16_384L), 4), await SettingsOfFourConnectionsAsync(replica));
    }

    [Fact]
    public async Task The_page_cache_follows_the_setting_even_on_native_connections_configured_before()
    {
        // The first host configures the pooled native connections; the second, with other values, must set them again.
        await using (var first = Replica.Start(database, output: null))
        {
            await SettingsOfFourConnectionsAsync(first);
        }

        await using var replica = Replica.Start(database, output: null, new Dictionary<string, string?>
        {
            ["Database:SqliteCacheMiB"] = "64",
            ["Database:CommandTimeoutSeconds"] = "5",
        });

        Assert.Equal(Enumerable.Repeat((5_000L, -65_536L), 4), await SettingsOfFourConnectionsAsync(replica));
    }

    private static async Task<List<(long BusyTimeout, long CacheSize)>> SettingsOfFourConnectionsAsync(Replica replica)
    {
        List<(long, long)> settings = [];
        for (var i = 0; i < 4; i++)
        {
            if (i == 2)
            {
                // New native connections from here on: the settings are made for them too.
                SqliteConnection.ClearAllPools();
            }

            await using var scope = replica.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            await db.Database.OpenConnectionAsync();
            settings.Add((await PragmaAsync(db, "busy_timeout"), await PragmaAsync(db, "cache_size")));
        }

        return settings;
    }

    private static async Task<long> PragmaAsync(DbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
