using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Persistence;

/// <summary>Applies every module's migrations, in registration order. EF takes a database lock per context.</summary>
public sealed class DatabaseMigrator(
    IServiceScopeFactory scopes,
    IEnumerable<ModuleDbContextRegistration> contexts,
    IOptions<DatabaseOptions> options,
    ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var first = true;
        foreach (var registration in contexts)
        {
            var db = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
            if (first && options.Value.Provider == DatabaseProvider.Sqlite)
            {
                // WAL lets readers and the one writer proceed together; the mode is stored in the file.
                await db.Database.OpenConnectionAsync(cancellationToken);
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                await db.Database.CloseConnectionAsync();
            }

            first = false;
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count == 0)
            {
                continue;
            }

            logger.LogInformation("Applying {Count} migration(s) to {Schema}: {Migrations}", pending.Count, registration.Schema, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
    }

    /// <summary>Schemas whose migrations are not all applied (empty when the database is current).</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var behind = new List<string>();
        foreach (var registration in contexts)
        {
            var db = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
            if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
            {
                behind.Add(registration.Schema);
            }
        }

        return behind;
    }
}
