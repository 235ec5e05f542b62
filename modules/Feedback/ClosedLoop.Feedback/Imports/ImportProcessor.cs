using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Feedback.Routing;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace ClosedLoop.Feedback.Imports;

/// <summary>
/// Turns a claimed import's stored bytes into feedback, a chunk of rows per transaction. Each transaction
/// stores the rows through <see cref="FeedbackIngestor"/> together with the import's new offset, line,
/// counts and error rows, so a crash anywhere resumes at the last committed row: no row is stored twice
/// and the counts stay exact.
/// </summary>
internal sealed partial class ImportProcessor(
    FeedbackDbContext db,
    FeedbackIngestor ingestor,
    FeedbackRouter router,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<ImportOptions> options,
    IOptions<HttpJsonOptions> json,
    ILogger<ImportProcessor> logger)
{
    public static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private const int MaxReason = 2000;

    private ImportOptions Options => options.Value;

    public async Task ProcessAsync(ImportClaim claim, CancellationToken cancellationToken)
    {
        var import = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == claim.Id, cancellationToken);

        // The upload is read through a context of its own, so the next chunk is read, validated, scored, looked up
        // and staged while the current one writes (the two share no state: the commit records the offsets read
        // before, and the next chunk is staged on top of what the current one stores, see StageAheadAsync).
        await using var readerScope = scopes.CreateAsyncScope();
        var uploadDb = readerScope.ServiceProvider.GetRequiredService<FeedbackDbContext>();
        var (reader, toRow, progress) = await ImportFile.OpenAsync(db, uploadDb, import, json.Value.SerializerOptions, time, cancellationToken);
        var pause = Options.PauseBetweenChunks ?? TimeSpan.Zero;

        // After a failed attempt, the chunk that failed starts at the committed offset: its rows go one at a time, so a
        // row that cannot be stored is rejected with its line and reason and the import goes on (a poison row would
        // otherwise fail every attempt at the same place until the import is given up).
        var isolating = claim.Failures > 0 ? Options.ChunkSize : 0;
        var chunk = await ReadChunkAsync(reader, toRow, uploadDb, claim.Id, pending: null, isolating > 0 ? 1 : Options.ChunkSize, cancellationToken);
        var committed = 0;
        while (isolating > 0)
        {
            progress = await CommitAloneAsync(claim, progress, chunk, cancellationToken);
            isolating -= Math.Max(1, chunk.Rows.Count);
            if (chunk.Final)
            {
                LogCompleted(claim.Id, progress.RowsRead, progress.Accepted, progress.Duplicates, progress.Conflicts, progress.Rejected);
                return;
            }

            chunk = await ReadChunkAsync(reader, toRow, uploadDb, claim.Id, pending: null, isolating > 0 ? 1 : Options.ChunkSize, cancellationToken);
        }

        while (true)
        {
            var staged = new TaskCompletionSource<StagedChunk?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var commit = CommitAsync(claim, progress, chunk, staged, cancellationToken);
            var next = chunk.Final ? null : Task.Run(() => ReadChunkAsync(reader, toRow, uploadDb, claim.Id, staged.Task, Options.ChunkSize, cancellationToken), cancellationToken);
            StagedChunk stored;
            try
            {
                (progress, stored) = await commit;
            }
            catch
            {
                staged.TrySetResult(null);
                if (next is not null)
                {
                    // Nothing of it is stored; wait for it so the reader's context is not disposed under it.
                    await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                throw;
            }

            // After chunk 1, 2, 4, 8, …: a few times per import, often while the tables are young and grow fastest. The
            // two whose lookups each chunk makes (by source and external id; customers by external id).
            if (BitOperations.IsPow2(++committed) && !await DbStatistics.RefreshAsync(db, [typeof(FeedbackItem), typeof(Customer)], cancellationToken))
            {
                LogStatisticsRefused(claim.Id);
            }

            if (next is null)
            {
                LogCompleted(claim.Id, progress.RowsRead, progress.Accepted, progress.Duplicates, progress.Conflicts, progress.Rejected);
                return;
            }

            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, time, cancellationToken);
            }

            chunk = await next;
            if (chunk.Ahead is { } ahead && !ReferenceEquals(ahead.Basis, stored.Identity))
            {
                // Staged on top of a staging that did not commit (the chunk was retried after a write race): stage it
                // again in its own transaction.
                chunk = chunk with { Ahead = null };
            }
        }
    }

    /// <summary>
    /// The next chunk's rows, validated and scored, where the row after them starts, and the chunk staged on top of
    /// <paramref name="pending"/> (the chunk being stored meanwhile; null for none).
    /// </summary>
    private async Task<Chunk> ReadChunkAsync(ImportReader reader, Func<long, ImportRow> toRow, FeedbackDbContext readDb, Guid importId, Task<StagedChunk?>? pending, int size, CancellationToken cancellationToken)
    {
        var rows = new List<ImportRow>(size);
        var end = false;
        while (rows.Count < size)
        {
            if (await reader.ReadAsync(cancellationToken) is not { } record)
            {
                end = true;
                break;
            }

            rows.Add(record.Broken is { } broken ? ImportRow.Malformed(record.Line, broken) : toRow(record.Line));
        }

        var inputs = rows.Where(r => r.Input is not null).Select(r => r.Input!).ToList();
        PreparedChunk prepared;
        try
        {
            prepared = FeedbackIngestor.Prepare(inputs, time.GetUtcNow(), router);
        }
        catch (Exception ex) when (rows.Count == 1 && inputs.Count == 1 && ex is not OperationCanceledException)
        {
            LogRowRefused(ex, importId, rows[0].Line);
            rows[0] = ImportRow.Malformed(rows[0].Line, Unstorable);
            prepared = FeedbackIngestor.Prepare([], time.GetUtcNow(), router);
        }

        var ahead = await ingestor.StageAheadAsync(readDb, prepared, importId, pending, cancellationToken);
        return new Chunk(rows, prepared, ahead, reader.Offset, reader.LineNumber, end || reader.AtEnd);
    }

    private sealed record Chunk(List<ImportRow> Rows, PreparedChunk Prepared, StagedChunk? Ahead, long Offset, long LineNumber, bool Final);

    private const string Unstorable = "This row could not be stored (it passed validation, but storing it failed); nothing of it was kept. The server log has the cause.";

    /// <summary>
    /// Commits a chunk of one row. When storing that row fails twice while the database answers (so the fault is the
    /// row's, not the server's), commits it as rejected instead; a lost lease or an unreachable database fails the attempt.
    /// </summary>
    private async Task<ImportProgress> CommitAloneAsync(ImportClaim claim, ImportProgress before, Chunk chunk, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                return (await CommitAsync(claim, before, chunk, new TaskCompletionSource<StagedChunk?>(), cancellationToken)).Progress;
            }
            catch (Exception ex) when (chunk.Rows is [{ Input: not null }] && ex is not (OperationCanceledException or ImportLeaseLostException))
            {
                failure = ex;
            }

            db.ChangeTracker.Clear();
            chunk = chunk with { Ahead = null };
            if (attempt < 2)
            {
                continue;
            }

            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            var line = chunk.Rows[0].Line;
            LogRowRefused(failure, claim.Id, line);
            var refused = chunk with { Rows = [ImportRow.Malformed(line, Unstorable)], Prepared = FeedbackIngestor.Prepare([], time.GetUtcNow(), router) };
            return (await CommitAsync(claim, before, refused, new TaskCompletionSource<StagedChunk?>(), cancellationToken)).Progress;
        }
    }

    /// <summary>Stores one chunk of rows and the import's progress in one transaction; returns the new progress.</summary>
    private async Task<(ImportProgress Progress, StagedChunk Stored)> CommitAsync(
        ImportClaim claim, ImportProgress before, Chunk chunk, TaskCompletionSource<StagedChunk?> staged, CancellationToken cancellationToken)
    {
        var (rows, offset, lineNumber, final) = (chunk.Rows, chunk.Offset, chunk.LineNumber, chunk.Final);
        var after = before;
        var stored = await ingestor.StoreAsync(chunk.Prepared, claim.Id, chunk.Ahead, s => staged.TrySetResult(s), async outcomes =>
        {
            // Runs again if the ingestor retries the transaction, so it starts from 'before' each time.
            var now = time.GetUtcNow();
            after = Tally(claim.Id, before, rows, outcomes, now) with { Offset = offset, LineNumber = lineNumber };
            var leaseUntil = now + Options.Lease;
            var updated = await db.Imports
                .Where(i => i.Id == claim.Id && i.LockToken == claim.Token)
                .ExecuteUpdateAsync(
                    s =>
                    {
                        s.SetProperty(i => i.Offset, after.Offset)
                            .SetProperty(i => i.LineNumber, after.LineNumber)
                            .SetProperty(i => i.Header, after.Header)
                            .SetProperty(i => i.RowsRead, after.RowsRead)
                            .SetProperty(i => i.Accepted, after.Accepted)
                            .SetProperty(i => i.Duplicates, after.Duplicates)
                            .SetProperty(i => i.Conflicts, after.Conflicts)
                            .SetProperty(i => i.Rejected, after.Rejected);
                        if (final)
                        {
                            s.SetProperty(i => i.Status, ImportStatus.Completed)
                                .SetProperty(i => i.CompletedAt, now)
                                .SetProperty(i => i.LockToken, (Guid?)null)
                                .SetProperty(i => i.LockedUntil, (DateTimeOffset?)null);
                        }
                        else
                        {
                            s.SetProperty(i => i.LockedUntil, leaseUntil);
                        }
                    },
                    cancellationToken);
            if (updated == 0)
            {
                throw new ImportLeaseLostException(claim.Id);
            }

            if (final)
            {
                // The file's job is done; the import row and its errors stay.
                await db.ImportChunks.Where(c => c.ImportId == claim.Id).ExecuteDeleteAsync(cancellationToken);
            }
        }, cancellationToken);
        return (after, stored);
    }

    /// <summary>Counts the chunk's outcomes and stages error rows for it, up to the per-import cap.</summary>
    private ImportProgress Tally(Guid importId, ImportProgress before, List<ImportRow> rows, IReadOnlyList<IngestOutcome> outcomes, DateTimeOffset now)
    {
        var (accepted, duplicates, conflicts, rejected) = (0, 0, 0, 0);
        var kept = Math.Min(before.Errors, Options.MaxStoredErrors);
        var next = 0;
        foreach (var row in rows)
        {
            var outcome = row.Input is null ? null : outcomes[next++];
            string? reason = null;
            switch (outcome?.Status)
            {
                case IngestStatus.Created:
                    accepted++;
                    break;
                case IngestStatus.Duplicate:
                    duplicates++;
                    break;
                case IngestStatus.Conflict:
                    conflicts++;
                    reason = $"{outcome.Message} Stored as feedback {outcome.FeedbackId}.";
                    break;
                default:
                    rejected++;
                    reason = row.Message ?? JsonSerializer.Serialize(row.Errors ?? outcome?.Errors ?? new Dictionary<string, string[]>(), Compact);
                    break;
            }

            if (reason is not null && kept < Options.MaxStoredErrors)
            {
                kept++;
                db.ImportErrors.Add(new ImportError
                {
                    Id = Guid.CreateVersion7(now),
                    ImportId = importId,
                    Line = row.Line,
                    Outcome = outcome?.Status == IngestStatus.Conflict ? "conflict" : "rejected",
                    Reason = reason.Length > MaxReason ? reason[..MaxReason] : reason,
                });
            }
        }

        return before with
        {
            RowsRead = before.RowsRead + rows.Count,
            Accepted = before.Accepted + accepted,
            Duplicates = before.Duplicates + duplicates,
            Conflicts = before.Conflicts + conflicts,
            Rejected = before.Rejected + rejected,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {ImportId} completed: {RowsRead} rows, {Accepted} accepted, {Duplicates} duplicates, {Conflicts} conflicts, {Rejected} rejected")]
    private partial void LogCompleted(Guid importId, long rowsRead, long accepted, long duplicates, long conflicts, long rejected);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import {ImportId}: the row on line {Line} could not be stored and is rejected")]
    private partial void LogRowRefused(Exception exception, Guid importId, long line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Import {ImportId}: the database refused to refresh the feedback tables' statistics; plans may lag the import")]
    private partial void LogStatisticsRefused(Guid importId);
}
