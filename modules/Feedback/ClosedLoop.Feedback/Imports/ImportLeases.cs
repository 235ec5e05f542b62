using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Feedback.Imports;

/// <summary>
/// Who works on which import: claims under a lease (set by one conditional update, so two workers never
/// both win), hand-backs on shutdown, failed attempts with backoff, and the sweep of abandoned uploads.
/// </summary>
internal sealed partial class ImportLeases(FeedbackDbContext db, TimeProvider time, IOptions<ImportOptions> options, ILogger<ImportLeases> logger)
{
    private ImportOptions Options => options.Value;

    /// <summary>Takes the oldest import that is queued, or running under a lease that ran out.</summary>
    public async Task<ImportClaim?> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var candidates = await Claimable(db.Imports.AsNoTracking(), now)
            .OrderBy(i => i.CreatedAt)
            .Select(i => new { i.Id, i.Failures })
            .Take(3)
            .ToListAsync(cancellationToken);
        foreach (var candidate in candidates)
        {
            var token = Guid.NewGuid();
            var until = now + Options.Lease;
            // The same conditions, re-checked: another worker may have claimed it since.
            var claimed = await Claimable(db.Imports, now)
                .Where(i => i.Id == candidate.Id)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(i => i.Status, ImportStatus.Running)
                        .SetProperty(i => i.LockToken, token)
                        .SetProperty(i => i.LockedUntil, until)
                        .SetProperty(i => i.StartedAt, i => i.StartedAt ?? (DateTimeOffset?)now),
                    cancellationToken);
            if (claimed == 1)
            {
                return new ImportClaim(candidate.Id, token, candidate.Failures);
            }
        }

        return null;
    }

    /// <summary>Gives the import back (on shutdown), so another worker or the next start continues at once.</summary>
    public Task ReleaseAsync(ImportClaim claim) =>
        db.Imports
            .Where(i => i.Id == claim.Id && i.LockToken == claim.Token)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LockToken, (Guid?)null).SetProperty(i => i.LockedUntil, (DateTimeOffset?)null));

    /// <summary>
    /// Records a failed attempt: retried later with backoff, or, for a file that cannot be read or after
    /// the last attempt, marked failed with its stored pieces deleted.
    /// </summary>
    public async Task FailAsync(ImportClaim claim, string reason, bool permanent)
    {
        var attempts = claim.Failures + 1;
        var givingUp = permanent || attempts >= Options.MaxAttempts;
        var now = time.GetUtcNow();
        var retryAt = now + TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, attempts)));
        var lastError = reason.Length > 4000 ? reason[..4000] : reason;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var updated = await db.Imports
            .Where(i => i.Id == claim.Id && i.LockToken == claim.Token)
            .ExecuteUpdateAsync(s =>
            {
                s.SetProperty(i => i.Failures, attempts).SetProperty(i => i.LastError, lastError).SetProperty(i => i.LockToken, (Guid?)null);
                if (givingUp)
                {
                    s.SetProperty(i => i.Status, ImportStatus.Failed).SetProperty(i => i.CompletedAt, now).SetProperty(i => i.LockedUntil, (DateTimeOffset?)null);
                }
                else
                {
                    s.SetProperty(i => i.LockedUntil, retryAt);
                }
            });
        if (updated == 1 && givingUp)
        {
            await db.ImportChunks.Where(c => c.ImportId == claim.Id).ExecuteDeleteAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>Discards uploads whose sender stopped sending (crash, dropped connection).</summary>
    public async Task AbandonStaleUploadsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stale = await db.Imports.AsNoTracking()
            .Where(i => i.Status == ImportStatus.Uploading && i.LockedUntil < now)
            .OrderBy(i => i.CreatedAt)
            .Select(i => i.Id)
            .Take(100)
            .ToListAsync(cancellationToken);
        foreach (var id in stale)
        {
            if (await ImportUpload.Abandon(db, id, "The upload stopped before the whole file arrived.", now, onlyIdleBefore: now, cancellationToken))
            {
                LogAbandoned(id);
            }
        }
    }

    private static IQueryable<FeedbackImport> Claimable(IQueryable<FeedbackImport> imports, DateTimeOffset now) =>
        imports.Where(i => i.Status == ImportStatus.Queued
            || (i.Status == ImportStatus.Running && (i.LockedUntil == null || i.LockedUntil < now)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {ImportId} abandoned: its upload stopped before the whole file arrived")]
    private partial void LogAbandoned(Guid importId);
}
