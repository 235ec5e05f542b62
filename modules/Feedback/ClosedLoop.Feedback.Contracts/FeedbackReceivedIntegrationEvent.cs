using ClosedLoop.SharedKernel;

namespace ClosedLoop.Feedback.Contracts;

/// <summary>NPS category of a score: promoter 9–10, passive 7–8, detractor 0–6, none without a score.</summary>
public enum NpsCategory
{
    None,
    Detractor,
    Passive,
    Promoter,
}

/// <summary>A new piece of feedback was accepted (not sent for duplicates).</summary>
public sealed record FeedbackReceivedIntegrationEvent(
    Guid FeedbackId,
    Guid CustomerId,
    string Source,
    string Channel,
    int? Score,
    NpsCategory Category,
    bool HasComment,
    DateTimeOffset SubmittedAt) : IntegrationEvent;

/// <summary>A customer's personal data was erased; every module erases what it holds about them.</summary>
public sealed record CustomerErasedIntegrationEvent(Guid CustomerId) : IntegrationEvent;
