using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Messaging;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>
/// Puts a follow-up survey answer on its case's timeline (<c>customerReplied</c>: the score, the comment, the feedback
/// it became) and, when the case was waiting on the customer, moves it back to in progress, so its resolution clock
/// runs again and its agent sees there is something to do. Once per answer, however often the event is delivered (the
/// inbox); a case erased or gone records nothing.
/// </summary>
internal sealed class RecordSurveyAnswer(CasesDbContext db, TimeProvider time) : IIntegrationEventHandler<SurveyAnsweredIntegrationEvent>
{
    public const string Kind = "customerReplied";
    private const int MaxQuoted = 500;

    public async Task HandleAsync(SurveyAnsweredIntegrationEvent e, CancellationToken cancellationToken)
    {
        var customer = new CaseActor($"customer:{e.CustomerId}", "Customer");
        var quoted = e.Comment is { Length: > 0 } comment ? $": \"{(comment.Length > MaxQuoted ? comment[..MaxQuoted] + "…" : comment)}\"" : ".";
        await CaseWork.RunAsync(db, e.CaseId, null, null, time, c =>
        {
            c.Case.Record(Kind, $"The customer answered the follow-up survey with {e.Score}/10{quoted} (feedback {e.FeedbackId}).", customer, c.Now);
            if (c.Case.Status == CaseStatus.WaitingOnCustomer)
            {
                c.Case.Move(CaseAction.Resume, "The customer answered.", customer, c.Now, c.Calendar);
            }

            return Task.FromResult<SharedKernel.Error?>(null);
        }, cancellationToken);
    }
}
