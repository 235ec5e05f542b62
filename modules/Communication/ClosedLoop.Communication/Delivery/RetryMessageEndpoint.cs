using ClosedLoop.Communication.Data;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Delivery;

/// <summary>An admin sends a dead-lettered (or waiting) message again, now.</summary>
internal static class RetryMessageEndpoint
{
    /// <summary>Puts a dead-lettered or retrying message back in the queue, due now.</summary>
    /// <remarks>
    /// The message becomes `pending` and goes with the dispatcher's next batch, with the same Message-ID / webhook-id
    /// as before. Its attempt history is kept and numbering continues; it gets a new round of `MaxAttempts` attempts
    /// before it is dead-lettered again. Only `deadLettered` and `retrying` messages can be retried: **409** for
    /// `pending`, `sent` and `suppressed` ones, and while an attempt is under way.
    /// </remarks>
    /// <param name="id">The message's id.</param>
    /// <param name="db">The module's store.</param>
    /// <param name="signal">Wakes the dispatcher.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<MessageRetried>, ProblemHttpResult>> Retry(
        Guid id, CommunicationDbContext db, DeliverySignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = await db.Messages.AsNoTracking().Where(m => m.Id == id).Select(m => new { m.Status, m.Attempts }).FirstOrDefaultAsync(cancellationToken);
        if (current is null)
        {
            return Problems.NotFound("message", id);
        }

        if (current.Status is not (MessageStatus.DeadLettered or MessageStatus.Retrying))
        {
            return NotRetryable(current.Status);
        }

        var now = time.GetUtcNow();

        // Conditional: a dispatcher holding the message (an attempt in flight) or a concurrent retry wins, and this one says so.
        var updated = await db.Messages
            .Where(m => m.Id == id
                && (m.Status == MessageStatus.DeadLettered || m.Status == MessageStatus.Retrying)
                && (m.LockedUntil == null || m.LockedUntil < now))
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.Status, MessageStatus.Pending)
                    .SetProperty(m => m.NextAttemptAt, now)
                    .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.LockToken, (Guid?)null),
                cancellationToken);
        if (updated == 0)
        {
            var status = await db.Messages.AsNoTracking().Where(m => m.Id == id).Select(m => m.Status).FirstAsync(cancellationToken);
            return status is MessageStatus.DeadLettered or MessageStatus.Retrying
                ? Problems.From(Error.Conflict("message-attempt-in-progress", "An attempt at this message is under way; retry it once that attempt has ended."))
                : NotRetryable(status);
        }

        signal.Notify();
        return TypedResults.Ok(new MessageRetried(id, "pending", current.Attempts, now));
    }

    private static ProblemHttpResult NotRetryable(MessageStatus status) => Problems.From(Error.Conflict(
        "message-not-retryable",
        $"Only a deadLettered or retrying message can be retried; this one is {System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString())}."));
}

/// <summary>A message put back in the queue by an admin: pending, due now, its attempt count unchanged.</summary>
internal sealed record MessageRetried(Guid Id, string Status, int Attempts, DateTimeOffset NextAttemptAt);
