using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Features.Cases;
using ClosedLoop.Cases.Features.Teams;
using ClosedLoop.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// AssignCase: with <c>team</c>, moves the case to that team and gives it to the team's least-loaded available member
/// at the case's level; without, does the same within the case's own team. An assignee who is an available member of
/// that team at the case's level keeps the case (a loop re-assigning would only churn it). When the case is not open,
/// has no team, or nobody is available, the case stays as it is, the timeline says why, and the loop goes on (Done is
/// AssignCase's only port). A team that no longer exists is a fault: the loop names it and an admin must fix it.
/// </summary>
internal sealed class AssignCaseHandler(CaseStepRunner runner) : IActivityHandler
{
    public string ActivityType => "AssignCase";

    public ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        var key = Team.KeyOf(context.String("team"));
        return new ValueTask<ActivityResult>(runner.RunOnceAsync(context, async (c, by) =>
        {
            var team = c.Team;
            if (key is not null)
            {
                team = await TeamEndpoints.FindAsync(c.Db.Teams.AsNoTracking(), key, cancellationToken);
                if (team is null)
                {
                    return StepOutcome.Faulted($"AssignCase '{context.Activity.Id}': no team with key '{key}'.");
                }
            }

            if (c.Case.Refuse(CaseAction.Assign) is { } refused)
            {
                c.Case.Record(LoopTimeline.StepSkipped, $"The loop did not assign the case: {refused.Message}", by, c.Now);
                return StepOutcome.Continue(CaseStepRunner.Done);
            }

            if (team is null)
            {
                c.Case.Record(LoopTimeline.StepSkipped, "The loop did not assign the case: it has no team yet, and the loop names none.", by, c.Now);
                return StepOutcome.Continue(CaseStepRunner.Done);
            }

            var keeps = team.Id == c.Case.TeamId && team.Members.Any(m => m.UserId == c.Case.AssigneeId && m.Available && m.Level >= c.Case.Level);
            if (keeps)
            {
                return StepOutcome.Continue(CaseStepRunner.Done);
            }

            var member = await Assigner.LeastLoadedAsync(c.Db, team, c.Case.Level, cancellationToken);
            if (member is null && team.Id == c.Case.TeamId && c.Case.AssigneeId is null)
            {
                c.Case.Record(LoopTimeline.StepSkipped, $"The loop did not assign the case: team '{team.Key}' has no available member at {Names.Of(c.Case.Level)} level or above.", by, c.Now);
                return StepOutcome.Continue(CaseStepRunner.Done);
            }

            c.Case.Assign(team, member, automatic: member is not null, $"By loop {context.DefinitionId}.", by, c.Now);
            return StepOutcome.Continue(CaseStepRunner.Done);
        }, cancellationToken));
    }
}
