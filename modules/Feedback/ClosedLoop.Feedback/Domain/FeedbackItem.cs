using ClosedLoop.Feedback.Contracts;

namespace ClosedLoop.Feedback.Domain;

/// <summary>One answer or comment, stored as sent.</summary>
internal sealed class FeedbackItem
{
    public const int MaxCommentLength = 10_000;

    public Guid Id { get; set; }

    public required string Source { get; set; }

    /// <summary>The sender's id for it; with <see cref="Source"/> it makes ingest idempotent.</summary>
    public string? ExternalId { get; set; }

    public required string Channel { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public int? Score { get; set; }

    public NpsCategory Category { get; set; }

    public string? Comment { get; set; }

    public Guid CustomerId { get; set; }

    /// <summary>Extra fields as a JSON object of scalars.</summary>
    public string? Attributes { get; set; }

    /// <summary>
    /// The content hash of an erased item: no SHA-256 in hex equals it, and any repeat of its key answers the same way
    /// (duplicate), so a guess of the erased content can be neither confirmed nor refuted.
    /// </summary>
    public const string ErasedContentHash = "erased";

    /// <summary>SHA-256 of the item as sent: a repeat with the same key and another body is a conflict.</summary>
    public required string ContentHash { get; set; }

    /// <summary>Whether a repeat with <paramref name="hash"/> repeats this stored content (any repeat does, once erased).</summary>
    public static bool IsRepeat(string storedHash, string hash) => storedHash == hash || storedHash == ErasedContentHash;

    public Guid? ImportId { get; set; }

    /// <summary><c>negative</c>, <c>neutral</c> or <c>positive</c>; null only for items stored before routing existed.</summary>
    public string? Sentiment { get; set; }

    public double? SentimentScore { get; set; }

    /// <summary>The routing decision and its explanation (JSON, see RoutingExplanation).</summary>
    public string? Routing { get; set; }

    /// <summary>The follow-up case, once the Cases module opened one (from its CaseOpened event); for a follow-up answer, the case it answers.</summary>
    public Guid? CaseId { get; set; }

    /// <summary>For a follow-up answer (a loop's survey): the loop instance that asked; its <see cref="CaseId"/> is the case it follows up.</summary>
    public Guid? LoopInstanceId { get; set; }

    public DateTimeOffset? ErasedAt { get; set; }
}

/// <summary>A topic the rules tagged an item with (one row per topic, so feedback can be listed by topic).</summary>
internal sealed class ItemTopic
{
    public const int MaxLength = 100;

    public Guid ItemId { get; set; }

    public required string Topic { get; set; }
}
