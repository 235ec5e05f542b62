using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Messaging;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>
/// Remembers which case follows up a piece of feedback, so that <c>GET /api/v1/feedback/{id}</c> can point to it.
/// A batch at a time: an import opens thousands of cases in a burst.
/// </summary>
internal sealed class LinkCaseToFeedback(FeedbackDbContext db) : IIntegrationEventBatchHandler<CaseOpenedIntegrationEvent>
{
    public async Task HandleAsync(IReadOnlyList<CaseOpenedIntegrationEvent> events, CancellationToken cancellationToken)
    {
        var ids = events.Select(e => e.FeedbackId).Distinct().ToList();
        var items = await db.Items.Where(i => ids.Contains(i.Id) && i.CaseId == null).ToDictionaryAsync(i => i.Id, cancellationToken);
        foreach (var opened in events)
        {
            if (items.TryGetValue(opened.FeedbackId, out var item) && item.CaseId is null)
            {
                item.CaseId = opened.CaseId;
            }
        }
    }
}
