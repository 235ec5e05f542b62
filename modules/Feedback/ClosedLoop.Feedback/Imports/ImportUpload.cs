using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Imports;

/// <summary>
/// Stores an upload piece by piece, each in its own short transaction (a long one would hold SQLite's
/// write lock for the whole upload). Each piece also renews the upload's idle deadline, after which the
/// worker's sweep discards an upload whose sender vanished.
/// </summary>
internal sealed class ImportUpload(FeedbackDbContext db, TimeProvider time, ImportOptions options)
{
    public async Task<FeedbackImport> CreateAsync(ImportFormat format, string source, string channel, string createdBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var import = new FeedbackImport
        {
            Id = Guid.CreateVersion7(now),
            Format = format,
            Status = ImportStatus.Uploading,
            DefaultSource = source,
            DefaultChannel = channel,
            CreatedBy = createdBy,
            CreatedAt = now,
            LockedUntil = now + options.UploadIdleTimeout,
        };
        db.Imports.Add(import);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return import;
    }

    /// <summary>Appends the next piece; false when the upload was abandoned meanwhile.</summary>
    public async Task<bool> StoreAsync(FeedbackImport import, byte[] data, CancellationToken cancellationToken)
    {
        var (index, total, until) = (import.ChunkCount, import.TotalBytes + data.Length, time.GetUtcNow() + options.UploadIdleTimeout);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var alive = await db.Imports
            .Where(i => i.Id == import.Id && i.Status == ImportStatus.Uploading)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ChunkCount, index + 1).SetProperty(i => i.TotalBytes, total).SetProperty(i => i.LockedUntil, until), cancellationToken);
        if (alive == 0)
        {
            return false;
        }

        db.ImportChunks.Add(new ImportChunk { ImportId = import.Id, Index = index, Data = data });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        (import.ChunkCount, import.TotalBytes) = (index + 1, total);
        return true;
    }

    /// <summary>Hands the stored file to the worker; false when the upload was abandoned meanwhile.</summary>
    public async Task<bool> QueueAsync(FeedbackImport import, CancellationToken cancellationToken) =>
        await db.Imports
            .Where(i => i.Id == import.Id && i.Status == ImportStatus.Uploading)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImportStatus.Queued).SetProperty(i => i.LockedUntil, (DateTimeOffset?)null), cancellationToken) == 1;

    /// <summary>
    /// Marks an unfinished upload failed and deletes its pieces. Best effort: when this fails too (the
    /// database is what broke), the worker's sweep does it once the idle deadline passes.
    /// </summary>
    public async Task AbandonAsync(Guid importId, string reason)
    {
        try
        {
            await Abandon(db, importId, reason, time.GetUtcNow(), onlyIdleBefore: null, CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
        }
    }

    /// <summary>
    /// Fails an upload still in progress (when <paramref name="onlyIdleBefore"/> is set, only if its
    /// deadline passed) and deletes its pieces, in one transaction; true if it did.
    /// </summary>
    public static async Task<bool> Abandon(FeedbackDbContext db, Guid importId, string reason, DateTimeOffset now, DateTimeOffset? onlyIdleBefore, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var failed = await db.Imports
            .Where(i => i.Id == importId && i.Status == ImportStatus.Uploading && (onlyIdleBefore == null || i.LockedUntil < onlyIdleBefore))
            .ExecuteUpdateAsync(
                s => s.SetProperty(i => i.Status, ImportStatus.Failed)
                    .SetProperty(i => i.LastError, reason)
                    .SetProperty(i => i.CompletedAt, now)
                    .SetProperty(i => i.LockedUntil, (DateTimeOffset?)null),
                cancellationToken);
        if (failed == 0)
        {
            return false;
        }

        await db.ImportChunks.Where(c => c.ImportId == importId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
