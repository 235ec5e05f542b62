using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Features.Workflows;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Surveys;

/// <summary>What became of an answer.</summary>
internal enum SurveyAnswerStatus
{
    Answered,
    AlreadyAnswered,

    /// <summary>The customer no longer exists (erased): the link answers like an unknown one.</summary>
    Gone,
    Invalid,
}

internal sealed record SurveyAnswerResult(SurveyAnswerStatus Status, Guid? FeedbackId = null, DateTimeOffset? AnsweredAt = null, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>
/// Records a survey answer exactly once per survey step: as new feedback through the Feedback module's intake
/// (idempotent by the step, so a retry after a crash finds the same item), then the step's "answered" mark and the
/// <see cref="SurveyAnsweredIntegrationEvent"/> in one transaction. The mark's unique key decides between
/// concurrent answers: the first stands, every other one is "already answered" and writes nothing.
/// </summary>
internal sealed class SurveyAnswers(CommunicationDbContext db, IFeedbackIntake intake, ICustomerDirectory customers, TimeProvider time)
{
    /// <summary>The feedback source of survey answers; the external id is the bookmark key, one per survey step.</summary>
    public const string Source = "closedloop-survey";
    public const string Channel = "survey";
    public const int MaxCommentLength = 10_000;

    public Task<SurveyAnswerRecord?> FindAsync(SurveyTicket ticket, CancellationToken cancellationToken) =>
        db.SurveyAnswers.AsNoTracking().FirstOrDefaultAsync(a => a.InstanceId == ticket.InstanceId && a.ActivityId == ticket.ActivityId, cancellationToken);

    public async Task<SurveyAnswerResult> AnswerAsync(SurveyTicket ticket, int score, string? comment, CancellationToken cancellationToken)
    {
        if (await FindAsync(ticket, cancellationToken) is not null)
        {
            return new SurveyAnswerResult(SurveyAnswerStatus.AlreadyAnswered);
        }

        var now = time.GetUtcNow();
        var key = SendSurveyHandler.BookmarkKey(ticket.InstanceId, ticket.ActivityId);
        var recorded = await intake.SubmitFollowUpAsync(
            new FollowUpFeedback(ticket.CustomerId, ticket.CaseId, ticket.InstanceId, Source, key, Channel, score, comment, now), cancellationToken);
        if (recorded is not { IsSuccess: true, Value: { } stored })
        {
            return recorded.Error is { Kind: ErrorKind.NotFound }
                ? new SurveyAnswerResult(SurveyAnswerStatus.Gone)
                : new SurveyAnswerResult(SurveyAnswerStatus.Invalid, Errors: recorded.Error?.Fields);
        }

        if (stored.Outcome == FollowUpOutcome.Conflict)
        {
            // Another answer was stored first and may still lack its mark (its request died in between): it stands.
            if (await customers.FindFeedbackAsync(stored.FeedbackId, cancellationToken) is { Score: { } firstScore } first)
            {
                await MarkAsync(ticket, stored.FeedbackId, firstScore, first.Comment, now, cancellationToken);
            }

            return new SurveyAnswerResult(SurveyAnswerStatus.AlreadyAnswered);
        }

        if (await MarkAsync(ticket, stored.FeedbackId, score, comment, now, cancellationToken))
        {
            return new SurveyAnswerResult(SurveyAnswerStatus.Answered, stored.FeedbackId, now);
        }

        // The mark was taken: by this very answer (a concurrent repeat marked it for us), or by another.
        var mark = await FindAsync(ticket, cancellationToken);
        return mark is not null && mark.FeedbackId == stored.FeedbackId && stored.Outcome == FollowUpOutcome.Created
            ? new SurveyAnswerResult(SurveyAnswerStatus.Answered, stored.FeedbackId, mark.AnsweredAt)
            : new SurveyAnswerResult(SurveyAnswerStatus.AlreadyAnswered);
    }

    private async Task<bool> MarkAsync(SurveyTicket ticket, Guid feedbackId, int score, string? comment, DateTimeOffset at, CancellationToken cancellationToken)
    {
        db.SurveyAnswers.Add(new SurveyAnswerRecord
        {
            Id = Guid.CreateVersion7(at),
            InstanceId = ticket.InstanceId,
            ActivityId = ticket.ActivityId,
            CaseId = ticket.CaseId,
            CustomerId = ticket.CustomerId,
            FeedbackId = feedbackId,
            Score = score,
            AnsweredAt = at,
        });
        db.Publish(new SurveyAnsweredIntegrationEvent(ticket.CaseId, ticket.CustomerId, feedbackId, ticket.InstanceId, ticket.ActivityId, score, comment, at));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (DbErrors.IsWriteConflict(e))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
