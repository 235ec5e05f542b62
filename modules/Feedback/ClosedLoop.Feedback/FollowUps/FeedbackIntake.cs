using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Feedback.Routing;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.FollowUps;

/// <summary>Follow-up answers other modules collect, through the same ingest as <c>POST /api/v1/feedback</c>.</summary>
internal sealed class FeedbackIntake(FeedbackDbContext db, FeedbackIngestor ingestor, FeedbackRouter router, TimeProvider time) : IFeedbackIntake
{
    public async Task<Result<FollowUpRecorded>> SubmitFollowUpAsync(FollowUpFeedback feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var customer = await db.Customers.AsNoTracking()
            .Where(c => c.Id == feedback.CustomerId)
            .Select(c => new { c.ExternalId, c.ErasedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (customer is null || customer.ErasedAt is not null)
        {
            return Error.NotFound("customer-not-found", $"No customer with id '{feedback.CustomerId}'.");
        }

        // Only the customer's key: a follow-up changes none of what the customer's own systems told us about them.
        var input = new FeedbackInput(
            feedback.Source,
            feedback.ExternalId,
            feedback.Channel,
            feedback.SubmittedAt,
            feedback.Score,
            feedback.Comment,
            new CustomerInput(customer.ExternalId, null, null, null, null, null, null),
            null);
        var prepared = FeedbackIngestor.Prepare([input], time.GetUtcNow(), router);
        if (prepared.Outcomes[0] is { Errors: { } errors })
        {
            return Error.Validation(new Dictionary<string, string[]>(errors));
        }

        var (index, item, mood) = prepared.Valid[0];
        prepared.Valid[0] = (index, item with { FollowUp = new FollowUpLink(feedback.CaseId, feedback.LoopInstanceId) }, mood);
        var outcome = (await ingestor.IngestAsync(prepared, importId: null, alsoWrite: null, cancellationToken))[0];
        return outcome switch
        {
            { Status: IngestStatus.Created, FeedbackId: { } id } => new FollowUpRecorded(id, FollowUpOutcome.Created),
            { Status: IngestStatus.Duplicate, FeedbackId: { } id } => new FollowUpRecorded(id, FollowUpOutcome.Duplicate),
            { Status: IngestStatus.Conflict, FeedbackId: { } id } => new FollowUpRecorded(id, FollowUpOutcome.Conflict),
            _ => Error.Validation(new Dictionary<string, string[]>(outcome.Errors ?? new Dictionary<string, string[]>()), outcome.Message ?? "The answer was refused."),
        };
    }
}
