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
/// case unassigned for an admin, with the reason on its timeline. The case goes to the team's least-loaded member unless
/// the decision says <c>assign: false</c> (a case its loop works by itself waits in the team's queue). Events come in batches (an import routes thousands
/// at once): the existing cases, the teams and their members' loads are read once per batch, and each case assigned
/// here counts in the load the next one sees.
/// </summary>
internal sealed class OpenCaseOnFeedbackRouted(CasesDbContext db, TimeProvider time) : IIntegrationEventBatchHandler<FeedbackRoutedIntegrationEvent>
{
    public async Task HandleAsync(IReadOnlyList<FeedbackRoutedIntegrationEvent> events, CancellationToken cancellationToken)
    {
        var toOpen = events.Where(e => e.Decision.OpenCase).ToList();
        if (toOpen.Count == 0)
        {
            return;
        }

        var feedbackIds = toOpen.Select(e => e.FeedbackId).ToList();
        var opened = (await db.Cases.AsNoTracking().Where(c => feedbackIds.Contains(c.FeedbackId)).Select(c => c.FeedbackId).ToListAsync(cancellationToken)).ToHashSet();
        var keys = toOpen.Select(e => Team.KeyOf(e.Decision.Team)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var teams = await db.Teams.AsNoTracking().Include(t => t.Members).Where(t => keys.Contains(t.Key)).ToDictionaryAsync(t => t.Key, StringComparer.Ordinal, cancellationToken);
        var loads = new Dictionary<Guid, Dictionary<string, int>>();
        var now = time.GetUtcNow();
        foreach (var routed in toOpen)
        {
            if (!opened.Add(routed.FeedbackId))
            {
                continue;
            }

            var decision = routed.Decision;
            var requested = Team.KeyOf(decision.Team);
            var team = requested is null ? null : teams.GetValueOrDefault(requested);
            var priority = Names.Priority(decision.Priority) ?? CasePriority.Normal;
            var level = Names.Level(decision.EscalationLevel) ?? EscalationLevel.Frontline;
            var targets = SlaTargets.For(priority, decision.SlaHours, SlaTargets.ParseTeam(team?.SlaTargets));
            var created = Case.Open(
                new NewCase(routed.FeedbackId, routed.CustomerId, priority, level, requested, decision.Loop, decision.Tags, routed.Score, Names.Of(routed.Category), routed.Sentiment, routed.Explanation, routed.Fallback),
                team,
                targets,
                TeamSchedule.CalendarOf(team),
                CaseActors.Routing,
                now);
            if (team is not null && decision.Assign)
            {
                if (!loads.TryGetValue(team.Id, out var load))
                {
                    loads[team.Id] = load = await Assigner.LoadAsync(db, team, cancellationToken);
                }

                if (Assigner.Pick(team, level, load) is { } member)
                {
                    created.Assign(team, member, automatic: true, null, CaseActors.Routing, now);
                    load[member.UserId] = load.GetValueOrDefault(member.UserId) + 1;
                }
            }

            created.Events.Add(created.AccessChanged());
            db.Cases.Add(created);
            db.Entries.AddRange(created.NewEntries);
            db.Topics.AddRange(CaseTopic.Of(decision.Topics).Select(t => new CaseTopic { CaseId = created.Id, Topic = t }));
            foreach (var e in created.Events)
            {
                db.Publish(e);
            }

            // The dispatcher saves and commits, together with the inbox rows.
            created.NewEntries.Clear();
            created.Events.Clear();
        }
    }
}
