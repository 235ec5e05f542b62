using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Domain.Sla;
using ClosedLoop.Cases.Features.Teams;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Messaging;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>
/// Opens a case when the routing decision says <c>openCase</c>: one per feedback, however often the event is
/// delivered (the inbox makes a delivery count once; the unique feedback id makes a second case impossible even
/// for a delivery under another handler name). The decision's team is looked up by key; an unknown team leaves the
/// case unassigned for an admin, with the reason on its timeline.
/// </summary>
internal sealed class OpenCaseOnFeedbackRouted(CasesDbContext db, TimeProvider time) : IIntegrationEventHandler<FeedbackRoutedIntegrationEvent>
{
    public async Task HandleAsync(FeedbackRoutedIntegrationEvent routed, CancellationToken cancellationToken)
    {
        var decision = routed.Decision;
        if (!decision.OpenCase || await db.Cases.AnyAsync(c => c.FeedbackId == routed.FeedbackId, cancellationToken))
        {
            return;
        }

        var requested = string.IsNullOrWhiteSpace(decision.Team) ? null : decision.Team.Trim().ToLowerInvariant();
        var team = requested is null ? null : await db.Teams.AsNoTracking().Include(t => t.Members).FirstOrDefaultAsync(t => t.Key == requested, cancellationToken);
        var priority = Names.Priority(decision.Priority) ?? CasePriority.Normal;
        var level = Names.Level(decision.EscalationLevel) ?? EscalationLevel.Frontline;
        var targets = SlaTargets.For(priority, decision.SlaHours, SlaTargets.ParseTeam(team?.SlaTargets));
        var now = time.GetUtcNow();
        var opened = Case.Open(
            new NewCase(routed.FeedbackId, routed.CustomerId, priority, level, requested, decision.Loop, decision.Tags, routed.Score, Names.Of(routed.Category), routed.Sentiment, routed.Explanation, routed.Fallback),
            team,
            targets,
            TeamSchedule.CalendarOf(team),
            CaseActors.Routing,
            now);
        if (team is not null && await Assigner.LeastLoadedAsync(db, team, level, cancellationToken) is { } member)
        {
            opened.Assign(team, member, automatic: true, null, CaseActors.Routing, now);
        }

        db.Cases.Add(opened);
        db.Entries.AddRange(opened.NewEntries);
        db.Topics.AddRange(decision.Topics
            .Select(t => (t.Length > CaseTopic.MaxLength ? t[..CaseTopic.MaxLength] : t).ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Select(t => new CaseTopic { CaseId = opened.Id, Topic = t }));
        foreach (var e in opened.Events)
        {
            db.Publish(e);
        }

        // The dispatcher saves and commits, together with the inbox row.
        opened.NewEntries.Clear();
        opened.Events.Clear();
    }
}
