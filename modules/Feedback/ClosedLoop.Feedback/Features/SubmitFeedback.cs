using System.Security.Claims;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>The answer to one submitted item.</summary>
/// <param name="Id">The feedback's id (the original one for a repeat).</param>
/// <param name="Status">created, or duplicate when this exact item was already received.</param>
internal sealed record FeedbackAccepted(Guid Id, string Status);

internal static class SubmitFeedback
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Submits one piece of feedback.</summary>
    /// <remarks>
    /// Validates, classifies the score (promoter 9–10, passive 7–8, detractor 0–6), upserts the customer and
    /// stores the item with its FeedbackReceived event in one transaction. Repeats are safe: the same
    /// (source, externalId) with the same content answers 200 with the original id and writes nothing; with
    /// different content it answers 409. Items without an externalId can be made idempotent with an
    /// Idempotency-Key header (kept per caller).
    /// </remarks>
    /// <param name="item">The feedback.</param>
    /// <param name="idempotencyKey">Optional key (≤ 200 characters) that makes a retry return the first answer.</param>
    /// <param name="ingestor">Stores it.</param>
    /// <param name="db">The Feedback database.</param>
    /// <param name="time">The clock.</param>
    /// <param name="user">The caller.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Created<FeedbackAccepted>, Ok<FeedbackAccepted>, ProblemHttpResult>> Handle(
        FeedbackInput item,
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        FeedbackIngestor ingestor,
        FeedbackDbContext db,
        TimeProvider time,
        ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        if (idempotencyKey is { Length: 0 or > 200 })
        {
            return Problems.Validation(new Dictionary<string, string[]> { [IdempotencyHeader] = ["Idempotency-Key must be 1–200 characters."] });
        }

        var key = idempotencyKey is null ? null : $"{user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub")}:{idempotencyKey}";
        for (var attempt = 0; ; attempt++)
        {
            if (key is not null && await db.IdempotencyKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Key == key, cancellationToken) is { } previous)
            {
                return SameRequest(previous.RequestHash, item, time)
                    ? TypedResults.Ok(new FeedbackAccepted(previous.FeedbackId, "duplicate"))
                    : TypedResults.Problem(
                        statusCode: StatusCodes.Status409Conflict,
                        title: "Idempotency-Key reused",
                        detail: "This Idempotency-Key was used for a different request; nothing was written. Use a new key for a new item.",
                        extensions: new Dictionary<string, object?> { ["feedbackId"] = previous.FeedbackId });
            }

            IReadOnlyList<IngestOutcome> outcomes;
            try
            {
                outcomes = await ingestor.IngestAsync([item], importId: null, alsoWrite: key is null ? null : o => RememberKey(db, key, o[0], item, time), cancellationToken, attempts: key is null ? 10 : 1);
            }
            catch (DbUpdateException) when (key is not null && attempt < 9)
            {
                // A concurrent writer won a race (maybe with this very key): look again, then answer as it did.
                await Task.Delay(Random.Shared.Next(5, 20 * (attempt + 1)), cancellationToken);
                continue;
            }

            return ToResult(outcomes[0]);
        }
    }

    internal static Results<Created<FeedbackAccepted>, Ok<FeedbackAccepted>, ProblemHttpResult> ToResult(IngestOutcome outcome) => outcome.Status switch
    {
        IngestStatus.Created => TypedResults.Created($"/api/v1/feedback/{outcome.FeedbackId}", new FeedbackAccepted(outcome.FeedbackId!.Value, "created")),
        IngestStatus.Duplicate => TypedResults.Ok(new FeedbackAccepted(outcome.FeedbackId!.Value, "duplicate")),
        IngestStatus.Conflict => TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Conflicting repeat",
            detail: outcome.Message,
            extensions: new Dictionary<string, object?> { ["feedbackId"] = outcome.FeedbackId }),
        _ => Problems.Validation(outcome.Errors!),
    };

    private static Task RememberKey(FeedbackDbContext db, string key, IngestOutcome outcome, FeedbackInput item, TimeProvider time)
    {
        if (outcome.FeedbackId is { } id && outcome.Status is IngestStatus.Created or IngestStatus.Duplicate)
        {
            db.IdempotencyKeys.Add(new Domain.IdempotencyKey { Key = key, RequestHash = RequestHash(item, time), FeedbackId = id, CreatedAt = time.GetUtcNow() });
        }

        return Task.CompletedTask;
    }

    private static bool SameRequest(string hash, FeedbackInput item, TimeProvider time) => Domain.FeedbackItem.IsRepeat(hash, RequestHash(item, time));

    private static string RequestHash(FeedbackInput item, TimeProvider time) =>
        FeedbackValidator.Validate(item, time.GetUtcNow(), new FieldErrors())?.ContentHash ?? "invalid";
}
