using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Cases.Features.Access;

/// <summary>
/// Publishes a <see cref="CaseAccessChangedIntegrationEvent"/> for every case that existed before the event did, so
/// that modules keeping a copy of who sees which case (Feedback's customer scoping) learn about old cases too. Runs
/// in the background after a start until its <see cref="Backfill"/> row says it is done: batches of cases in id order,
/// each batch's events and its progress in one transaction. Cases opened or changed meanwhile publish their own
/// event, and copies keep the highest version they see, so overlapping with live traffic (or with another replica
/// doing the same pass) only means an event delivered twice.
/// </summary>
internal sealed partial class CaseAccessBackfill(IServiceScopeFactory scopes, TimeProvider time, ILogger<CaseAccessBackfill> logger) : BackgroundService
{
    public const string Name = "case-access-events";

    private const int Batch = 1_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var published = await RunAsync(stoppingToken);
                if (published > 0)
                {
                    LogDone(logger, published);
                }

                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // E.g. the schema is not migrated yet (migrations run as a separate deploy step): try again later.
                var pause = TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, attempt)));
                LogFailed(logger, ex, pause);
                await Task.Delay(pause, time, stoppingToken);
            }
        }
    }

    /// <summary>Runs the pass to its end (nothing when it is done); returns the number of events published.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var published = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CasesDbContext>();
            var state = await db.Backfills.FirstOrDefaultAsync(b => b.Name == Name, cancellationToken);
            if (state is not { CompletedAt: null })
            {
                return published;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var cases = db.Cases.AsNoTracking();
            if (state.After is { } after)
            {
                cases = cases.Where(c => c.Id.CompareTo(after) > 0);
            }

            var batch = await cases.OrderBy(c => c.Id).Take(Batch)
                .Select(c => new CaseAccessChangedIntegrationEvent(c.Id, c.CustomerId, c.TeamKey, c.Level, c.Version))
                .ToListAsync(cancellationToken);
            if (batch.Count > 0)
            {
                await db.PublishAllAsync([.. batch.Cast<IntegrationEvent>()], cancellationToken);
                state.After = batch[^1].CaseId;
            }

            if (batch.Count < Batch)
            {
                state.CompletedAt = time.GetUtcNow();
            }

            state.Version++;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                published += batch.Count;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another replica did this batch first (its events are out): read where it got to.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published who may see each of {Count} existing cases (one-time backfill)")]
    private static partial void LogDone(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The backfill of case access events failed; it tries again in {Pause}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan pause);
}
