using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Messaging;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>Remembers which case follows up a piece of feedback, so that <c>GET /api/v1/feedback/{id}</c> can point to it.</summary>
internal sealed class LinkCaseToFeedback(FeedbackDbContext db) : IIntegrationEventHandler<CaseOpenedIntegrationEvent>
{
    public async Task HandleAsync(CaseOpenedIntegrationEvent opened, CancellationToken cancellationToken)
    {
        var item = await db.Items.FirstOrDefaultAsync(i => i.Id == opened.FeedbackId, cancellationToken);
        if (item is not null && item.CaseId is null)
        {
            item.CaseId = opened.CaseId;
        }
    }
}
