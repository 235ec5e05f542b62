using ClosedLoop.Cases.Data;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Messaging;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>
/// When a customer is erased, their cases keep what aggregates need (status, priority, team, times, root cause,
/// SLA outcome) and lose what may hold personal data: free text on the timeline, the resolution note and the
/// customer summary, and the routing explanation (which quotes the comment).
/// </summary>
internal sealed class EraseCustomerCases(CasesDbContext db) : IIntegrationEventHandler<CustomerErasedIntegrationEvent>
{
    public const string Erased = "[erased]";

    public async Task HandleAsync(CustomerErasedIntegrationEvent erased, CancellationToken cancellationToken)
    {
        var ids = await db.Cases.Where(c => c.CustomerId == erased.CustomerId).Select(c => c.Id).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return;
        }

        await db.Cases.Where(c => c.CustomerId == erased.CustomerId).ExecuteUpdateAsync(
            s => s.SetProperty(c => c.Routing, (string?)null)
                .SetProperty(c => c.ResolutionNote, c => c.ResolutionNote == null ? null : Erased)
                .SetProperty(c => c.CustomerSummary, c => c.CustomerSummary == null ? null : Erased)
                .SetProperty(c => c.Version, c => c.Version + 1),
            cancellationToken);
        await db.Entries.Where(e => ids.Contains(e.CaseId) && e.Text != null).ExecuteUpdateAsync(s => s.SetProperty(e => e.Text, Erased), cancellationToken);
    }
}
