using ClosedLoop.SharedKernel;

namespace ClosedLoop.Feedback.Contracts;

/// <summary>Feedback that other modules collect themselves (a loop's follow-up survey), stored like any other, in-process.</summary>
public interface IFeedbackIntake
{
    /// <summary>
    /// Stores a follow-up answer as new feedback of <see cref="FollowUpFeedback.CustomerId"/>: classified, scored for
    /// sentiment and tagged by the published rules like any item, linked to the case and the loop instance it answers,
    /// and never routed to a new case or loop (its decision says <c>openCase: false</c>, without a loop, tagged
    /// <c>follow-up</c>). <see cref="FollowUpFeedback.Source"/> and <see cref="FollowUpFeedback.ExternalId"/> make it
    /// idempotent as on <c>POST /api/v1/feedback</c>: a repeat answers the stored item. Fails with not-found for an
    /// unknown or erased customer, and validation for a score or comment the API would refuse.
    /// </summary>
    Task<Result<FollowUpRecorded>> SubmitFollowUpAsync(FollowUpFeedback feedback, CancellationToken cancellationToken = default);
}

/// <summary>A follow-up answer.</summary>
/// <param name="CustomerId">Who answered (an existing customer).</param>
/// <param name="CaseId">The case it follows up (shown as the item's <c>caseId</c>).</param>
/// <param name="LoopInstanceId">The loop instance that asked (shown as the item's <c>loopInstanceId</c>).</param>
/// <param name="Source">Where it comes from, e.g. <c>closedloop-survey</c>.</param>
/// <param name="ExternalId">What makes a repeat a no-op, e.g. the survey step.</param>
/// <param name="Channel">A feedback channel, e.g. <c>survey</c>.</param>
/// <param name="Score">0–10, or null.</param>
/// <param name="Comment">Up to 10,000 characters, or null; one of score or comment is required.</param>
/// <param name="SubmittedAt">When the customer answered.</param>
public sealed record FollowUpFeedback(
    Guid CustomerId,
    Guid CaseId,
    Guid LoopInstanceId,
    string Source,
    string ExternalId,
    string Channel,
    int? Score,
    string? Comment,
    DateTimeOffset SubmittedAt);

/// <summary>What became of a follow-up answer.</summary>
/// <param name="FeedbackId">The stored item (this answer's, or the earlier one under the same key).</param>
/// <param name="Outcome">Whether it was stored now, was already stored, or another answer was stored under its key.</param>
public sealed record FollowUpRecorded(Guid FeedbackId, FollowUpOutcome Outcome);

/// <summary>How a follow-up answer was taken.</summary>
public enum FollowUpOutcome
{
    /// <summary>Stored now.</summary>
    Created,

    /// <summary>The same answer was stored before; nothing was written.</summary>
    Duplicate,

    /// <summary>A different answer was stored before under the same key; nothing was written.</summary>
    Conflict,
}
