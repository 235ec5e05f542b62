using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Messaging;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>
/// Keeps <see cref="CustomerCase"/> rows in step with the Cases module: who may see each case, at the highest case
/// version seen, so a late delivery of an older change never undoes a newer one. A batch at a time: an import opens
/// thousands of cases in a burst. Two deliveries racing on one case collide on the key or the version and the loser
/// is retried, then sees the winner's row.
/// </summary>
internal sealed class TrackCustomerCases(FeedbackDbContext db) : IIntegrationEventBatchHandler<CaseAccessChangedIntegrationEvent>
{
    public async Task HandleAsync(IReadOnlyList<CaseAccessChangedIntegrationEvent> events, CancellationToken cancellationToken)
    {
        var ids = events.Select(e => e.CaseId).Distinct().ToList();
        var known = await db.CustomerCases.Where(c => ids.Contains(c.CaseId)).ToDictionaryAsync(c => c.CaseId, cancellationToken);
        foreach (var changed in events)
        {
            if (!known.TryGetValue(changed.CaseId, out var row))
            {
                known[changed.CaseId] = new CustomerCase { CaseId = changed.CaseId, CustomerId = changed.CustomerId, Team = changed.Team, Level = changed.Level, Version = changed.Version };
                db.CustomerCases.Add(known[changed.CaseId]);
            }
            else if (changed.Version > row.Version)
            {
                (row.Team, row.Level, row.Version) = (changed.Team, changed.Level, changed.Version);
            }
        }
    }
}
