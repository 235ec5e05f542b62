using ClosedLoop.SharedKernel;

namespace ClosedLoop.Feedback.Contracts;

/// <summary>
/// What the published rule sets decided for one piece of feedback. A property no rule decided is null (lists:
/// empty); without <see cref="OpenCase"/> no case is opened.
/// </summary>
/// <param name="OpenCase">Whether a follow-up case is opened.</param>
/// <param name="Priority"><c>low</c>, <c>normal</c>, <c>high</c> or <c>urgent</c>.</param>
/// <param name="Team">The team that follows it up.</param>
/// <param name="SlaHours">Hours until the case must be resolved.</param>
/// <param name="EscalationLevel"><c>frontline</c>, <c>management</c> or <c>executive</c>.</param>
/// <param name="Loop">The workflow definition id of the loop to run.</param>
/// <param name="Topics">Topics the feedback is about.</param>
/// <param name="Tags">Other labels rules added.</param>
/// <param name="Assign">
/// Whether the opened case goes to its team's least-loaded member at once (the default), or waits in the team's queue
/// for its loop or a person to take it (<c>assign: false</c>, for cases a loop works by itself).
/// </param>
public sealed record FeedbackDecision(
    bool OpenCase,
    string? Priority,
    string? Team,
    int? SlaHours,
    string? EscalationLevel,
    string? Loop,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> Tags,
    bool Assign = true);

/// <summary>A rule set version that took part in a routing.</summary>
/// <param name="Name">The rule set.</param>
/// <param name="Version">Its version.</param>
/// <param name="Outcome"><c>evaluated</c>, <c>timedOut</c>, <c>suspended</c>, <c>notLoaded</c>, <c>skipped</c> or <c>failed</c>.</param>
public sealed record RuleSetVersionUsed(string Name, int Version, string Outcome);

/// <summary>
/// A new piece of feedback was routed by the rules, in the same transaction that stored it (right after its
/// <see cref="FeedbackReceivedIntegrationEvent"/>): what to do about it, and why.
/// </summary>
/// <param name="FeedbackId">The feedback.</param>
/// <param name="CustomerId">Who gave it.</param>
/// <param name="Score">Its score, if any.</param>
/// <param name="Category">Its NPS category.</param>
/// <param name="Sentiment"><c>negative</c>, <c>neutral</c> or <c>positive</c>.</param>
/// <param name="SentimentScore">−1 … 1.</param>
/// <param name="Decision">The merged decision.</param>
/// <param name="Fallback">True when the default route was used (the rules could not decide in time, or a set is broken).</param>
/// <param name="FallbackReason">Why, when <paramref name="Fallback"/>.</param>
/// <param name="RuleSets">The rule set versions evaluated, in order.</param>
/// <param name="Explanation">The full explanation as JSON (as <c>GET /api/v1/feedback/{id}</c> returns it under <c>routing</c>).</param>
public sealed record FeedbackRoutedIntegrationEvent(
    Guid FeedbackId,
    Guid CustomerId,
    int? Score,
    NpsCategory Category,
    string Sentiment,
    double SentimentScore,
    FeedbackDecision Decision,
    bool Fallback,
    string? FallbackReason,
    IReadOnlyList<RuleSetVersionUsed> RuleSets,
    string Explanation) : IntegrationEvent;
