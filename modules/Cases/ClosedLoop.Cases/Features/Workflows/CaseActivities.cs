using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Workflows.Definitions;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// The loop steps that act on a case, as the Cases module declares them to the workflow engine (which knows none of
/// them): their inputs and ports, for validation and diagrams. The team and root-cause references a loop names are
/// checked against this module's tables.
/// </summary>
internal static class CaseActivities
{
    public const string TeamReference = "team";
    public const string RootCauseReference = "rootCause";

    /// <summary>What WaitForCaseEvent waits for.</summary>
    public static readonly string[] CaseEvents = ["acknowledged", "resolved", "customerReplied", "closed", "reopened"];

    public static IReadOnlyList<ActivityDescriptor> All { get; } =
    [
        new("WaitForCaseEvent", "Waits until the case is acknowledged, resolved, closed or reopened, or the customer replies; Timeout when that takes longer than `timeout`.",
            [
                new("event", InputType.Enum, true, "The case event to wait for.", CaseEvents),
                new("timeout", InputType.TimeSpan, false, "Continue on Timeout after this long (\"d.hh:mm:ss\")."),
                new("businessHours", InputType.Boolean, false, "Count the timeout in the business hours of the case's team."),
            ], ["Done", "Timeout"], ActivityKind.Wait),
        new("AssignCase", "Assigns the case: to a team (its least-loaded available member), or within its team when no team is given.",
            [new("team", InputType.String, false, "A team key, e.g. cx-emea.", ReferenceKind: TeamReference)], ["Done"], ActivityKind.Normal),
        new("EscalateCase", "Moves the case up a level (or to `level`), with a reason on its timeline; Failed when it cannot go higher.",
            [
                new("level", InputType.Enum, false, "The level to reach; default the next one.", ["management", "executive"]),
                new("reason", InputType.String, true, "Why, as the timeline and the escalation notice show it."),
            ], ["Done", "Failed"], ActivityKind.Normal),
        new("SetCaseStatus", "Moves the case forward to a status along its lifecycle (a new case is acknowledged and started on the way); Failed when the lifecycle does not go there from where the case is.",
            [
                new("status", InputType.Enum, true, "The new status.", SetCaseStatusHandler.Statuses),
                new("note", InputType.String, false, "A note on the timeline."),
            ], ["Done", "Failed"], ActivityKind.Normal),
        new(ResolveCaseHandler.Type, "Resolves the case with a root cause and a note (acknowledging and starting a new case on the way); a case already resolved or closed is left as it is.",
            [
                new("rootCause", InputType.String, true, "An active root-cause key, e.g. no-fault-found.", ReferenceKind: RootCauseReference),
                new("note", InputType.String, true, "The resolution note, on the timeline."),
                new("customerSummary", InputType.String, false, "What changed, in words for the customer (templates see it as case.customerSummary)."),
            ], ["Done"], ActivityKind.Normal),
    ];
}

/// <summary>A loop may only name teams that exist.</summary>
internal sealed class TeamDefinitionCheck(CasesDbContext db) : IDefinitionReferenceCheck
{
    public string Kind => CaseActivities.TeamReference;

    public async Task<bool> ExistsAsync(string value, CancellationToken ct) =>
        Team.KeyOf(value) is { } key && await db.Teams.AsNoTracking().AnyAsync(t => t.Key == key, ct);
}

/// <summary>A loop may only name active root causes of the taxonomy.</summary>
internal sealed class RootCauseDefinitionCheck(CasesDbContext db) : IDefinitionReferenceCheck
{
    public string Kind => CaseActivities.RootCauseReference;

    public Task<bool> ExistsAsync(string value, CancellationToken ct) =>
        db.RootCauses.AsNoTracking().AnyAsync(r => r.Key == value && r.Active, ct);
}
