using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Cases.Features.Seeding;

/// <summary>
/// Adds the default teams and root causes that are missing, before the host serves requests (and before the rule
/// sets are seeded: they name these teams). Never changes what exists, so admin edits stay. Replicas starting
/// together race harmlessly: a unique key rejects the second insert, and that replica reads what the first wrote.
/// </summary>
internal sealed partial class CasesSeeder(IServiceScopeFactory scopes, TimeProvider time, ILogger<CasesSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CasesDbContext>();
            try
            {
                await SeedAsync(db, cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another replica seeded the same key first.
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Not fatal (e.g. the schema is not migrated yet): the host serves, health says why, the next start seeds.
                LogFailed(logger, ex);
                return;
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(CasesDbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var teams = await db.Teams.Select(t => t.Key).ToListAsync(cancellationToken);
        foreach (var (key, name, zone, hours) in CaseDefaults.Teams.Where(t => !teams.Contains(t.Key)))
        {
            db.Teams.Add(new Team { Id = Guid.CreateVersion7(now), Key = key, Name = name, TimeZone = zone, BusinessHours = hours, CreatedAt = now, UpdatedAt = now, Version = 1 });
        }

        var causes = await db.RootCauses.Select(r => r.Key).ToListAsync(cancellationToken);
        foreach (var cause in CaseDefaults.RootCauses().Where(c => !causes.Contains(c.Key)))
        {
            cause.UpdatedAt = now;
            db.RootCauses.Add(cause);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The default teams and root causes could not be seeded; the next start tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
