using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Contracts;

namespace ClosedLoop.Communication.Sending;

/// <summary>Gathers what a message about a case shows: the case, its customer (an erased one has only ids), its feedback and team name.</summary>
internal sealed class CaseSubjects(ICasesApi cases, ICustomerDirectory customers)
{
    public async Task<MessageSubject?> SubjectAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var supportCase = await cases.FindAsync(caseId, cancellationToken);
        return supportCase is null ? null : await SubjectAsync(supportCase, cancellationToken);
    }

    public async Task<MessageSubject> SubjectAsync(CaseSnapshot supportCase, CancellationToken cancellationToken)
    {
        var customer = await customers.FindAsync(supportCase.CustomerId, cancellationToken)
            ?? new CustomerContact(supportCase.CustomerId, "", null, null, null, null, null, Erased: true);
        var feedback = await customers.FindFeedbackAsync(supportCase.FeedbackId, cancellationToken);
        var team = supportCase.Team is null ? null : await cases.TeamContactsAsync(supportCase.Team, cancellationToken);
        return new MessageSubject(customer, feedback, supportCase, TeamName: team?.Name);
    }
}
