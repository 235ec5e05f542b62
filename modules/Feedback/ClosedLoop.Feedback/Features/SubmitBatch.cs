using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClosedLoop.Feedback.Features;

/// <summary>One item's outcome in a batch.</summary>
/// <param name="Index">Its position in the request (from 0).</param>
/// <param name="Status">created, duplicate, conflict or rejected.</param>
/// <param name="Id">The feedback id (created, duplicate, conflict: the stored one).</param>
/// <param name="Errors">Field errors of a rejected item.</param>
/// <param name="Message">Why it was not created.</param>
internal sealed record BatchItemOutcome(int Index, string Status, Guid? Id, IDictionary<string, string[]>? Errors, string? Message);

/// <summary>What a batch did, item by item.</summary>
internal sealed record BatchResult(int Created, int Duplicates, int Conflicts, int Rejected, IReadOnlyList<BatchItemOutcome> Items);

internal static class SubmitBatch
{
    public const int MaxItems = 5_000;
    public const int ChunkSize = 500;
    public const long MaxBodyBytes = 64L * 1024 * 1024;

    /// <summary>Submits up to 5,000 feedback items in one request.</summary>
    /// <remarks>
    /// Items are stored in transactions of 500. The answer lists every item in order: created,
    /// duplicate (same source, externalId and content as one already stored), conflict (same key, other
    /// content) or rejected (with field errors). One bad item never holds back the good ones. Repeating the
    /// whole batch is safe for items with an externalId.
    /// </remarks>
    /// <param name="items">The items, as a JSON array.</param>
    /// <param name="ingestor">Stores them.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<BatchResult>, ProblemHttpResult>> Handle(
        List<FeedbackInput?> items,
        FeedbackIngestor ingestor,
        CancellationToken cancellationToken)
    {
        if (items.Count is 0 or > MaxItems)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["items"] = [$"send between 1 and {MaxItems} items."] });
        }

        var outcomes = new List<BatchItemOutcome>(items.Count);
        for (var start = 0; start < items.Count; start += ChunkSize)
        {
            var chunk = items.Skip(start).Take(ChunkSize).Select(i => i ?? Empty).ToList();
            var results = await ingestor.IngestAsync(chunk, importId: null, alsoWrite: null, cancellationToken);
            outcomes.AddRange(results.Select((r, i) => new BatchItemOutcome(start + i, r.Status.ToString().ToLowerInvariant(), r.FeedbackId, r.Errors, r.Status == IngestStatus.Created ? null : r.Message)));
        }

        return TypedResults.Ok(new BatchResult(
            outcomes.Count(o => o.Status == "created"),
            outcomes.Count(o => o.Status == "duplicate"),
            outcomes.Count(o => o.Status == "conflict"),
            outcomes.Count(o => o.Status == "rejected"),
            outcomes));
    }

    private static readonly FeedbackInput Empty = new(null, null, null, null, null, null, null, null);
}
