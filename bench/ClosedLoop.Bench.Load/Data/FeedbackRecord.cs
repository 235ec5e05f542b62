namespace ClosedLoop.Bench.Load.Data;

/// <summary>One generated piece of feedback: what a survey tool would post, or one CSV row.</summary>
internal sealed record FeedbackRecord(
    string Source,
    string ExternalId,
    string Channel,
    DateTimeOffset SubmittedAt,
    int? Score,
    string? Comment,
    CustomerRecord Customer,
    string Product,
    string OrderId);

/// <summary>A customer as the feedback describes them; the same number always gives the same attributes.</summary>
internal sealed record CustomerRecord(
    string ExternalId,
    string Email,
    string Name,
    string Region,
    string Segment,
    string Language,
    decimal AccountValue);
