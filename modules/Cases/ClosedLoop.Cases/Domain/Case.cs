using System.Text.Json;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Domain.Sla;
using ClosedLoop.SharedKernel;

namespace ClosedLoop.Cases.Domain;

/// <summary>
/// One follow-up of one piece of feedback. Every change goes through a method here: it checks the lifecycle,
/// moves the SLA clock, appends to the timeline (<see cref="NewEntries"/>) and raises integration events
/// (<see cref="Events"/>); the caller saves all three in one transaction.
/// </summary>
internal sealed partial class Case
{
    public const int MaxReasonLength = 2_000;

    public Guid Id { get; set; }

    public Guid FeedbackId { get; set; }

    public Guid CustomerId { get; set; }

    public CaseStatus Status { get; set; }

    public CasePriority Priority { get; set; }

    public EscalationLevel Level { get; set; }

    public Guid? TeamId { get; set; }

    public string? TeamKey { get; set; }

    public string? AssigneeId { get; set; }

    public string? AssigneeName { get; set; }

    public string? Loop { get; set; }

    /// <summary>Tags of the routing decision, as JSON.</summary>
    public string Tags { get; set; } = "[]";

    public int? Score { get; set; }

    public string? Category { get; set; }

    public string? Sentiment { get; set; }

    /// <summary>The routing explanation exactly as the Feedback module published it (JSON).</summary>
    public string? Routing { get; set; }

    public bool RoutedByFallback { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset LastActivityAt { get; set; }

    public double FirstResponseTargetMinutes { get; set; }

    public double ResolutionTargetMinutes { get; set; }

    public DateTimeOffset FirstResponseDueAt { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    /// <summary>Due time of the resolution, with every pause so far added (the last computed while paused).</summary>
    public DateTimeOffset ResolutionDueAt { get; set; }

    /// <summary>Set while the clock stands: waiting on the customer, resolved, closed.</summary>
    public DateTimeOffset? PausedSince { get; set; }

    /// <summary>Business minutes the resolution clock stood in finished pauses.</summary>
    public double PausedMinutes { get; set; }

    public DateTimeOffset? FirstResponseBreachedAt { get; set; }

    public DateTimeOffset? ResolutionBreachedAt { get; set; }

    /// <summary>The next due time that can still be missed; <see cref="NothingDue"/> when none. Lists sort and filter overdue by it.</summary>
    public DateTimeOffset DueSort { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? RootCause { get; set; }

    public string? ResolutionNote { get; set; }

    public string? CustomerSummary { get; set; }

    /// <summary>The level last reached by automatic escalation, so a threshold escalates once per level.</summary>
    public EscalationLevel? AutoEscalatedTo { get; set; }

    public int Version { get; set; }

    public static DateTimeOffset NothingDue { get; } = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public List<CaseEntry> NewEntries { get; } = [];

    public List<IntegrationEvent> Events { get; } = [];

    public string ETag => $"\"{Version}\"";

    public bool IsPaused => PausedSince is not null;

    /// <summary>Opens a case for a routed piece of feedback, with its SLA clock started in the team's calendar.</summary>
    public static Case Open(NewCase details, Team? team, SlaTargets targets, BusinessCalendar calendar, CaseActor by, DateTimeOffset now)
    {
        var opened = new Case
        {
            Id = Guid.CreateVersion7(now),
            FeedbackId = details.FeedbackId,
            CustomerId = details.CustomerId,
            Status = CaseStatus.New,
            Priority = details.Priority,
            Level = details.Level,
            TeamId = team?.Id,
            TeamKey = team?.Key,
            Loop = details.Loop,
            Tags = JsonSerializer.Serialize(details.Tags),
            Score = details.Score,
            Category = details.Category,
            Sentiment = details.Sentiment,
            Routing = details.Routing,
            RoutedByFallback = details.Fallback,
            OpenedAt = now,
            LastActivityAt = now,
            FirstResponseTargetMinutes = targets.FirstResponse.TotalMinutes,
            ResolutionTargetMinutes = targets.Resolution.TotalMinutes,
        };
        opened.FirstResponseDueAt = calendar.Add(now, targets.FirstResponse);
        opened.ResolutionDueAt = calendar.Add(now, targets.Resolution);
        opened.UpdateDueSort();
        var unknownTeam = team is null && details.RequestedTeam is not null ? $" The decision named team '{details.RequestedTeam}', which does not exist; an admin must assign it." : "";
        opened.Log(now, "created", by, $"Opened from feedback {details.FeedbackId}.{unknownTeam}", new
        {
            priority = details.Priority,
            level = details.Level,
            team = team?.Key,
            requestedTeam = details.RequestedTeam,
            loop = details.Loop,
            firstResponseDueAt = opened.FirstResponseDueAt,
            resolutionDueAt = opened.ResolutionDueAt,
        });
        opened.Events.Add(new CaseOpenedIntegrationEvent(
            opened.Id, opened.FeedbackId, opened.CustomerId, opened.TeamKey, opened.Priority, opened.Level, opened.Loop, opened.FirstResponseDueAt, opened.ResolutionDueAt));
        return opened;
    }

    public Error? Assign(Team? team, TeamMember? assignee, bool automatic, string? reason, CaseActor by, DateTimeOffset now)
    {
        if (Refuse(CaseAction.Assign) is { } refused)
        {
            return refused;
        }

        var teamChanged = team is not null && team.Id != TeamId;
        var assigneeChanged = assignee?.UserId != AssigneeId;
        if (!teamChanged && !assigneeChanged)
        {
            return null;
        }

        if (team is not null)
        {
            TeamId = team.Id;
            TeamKey = team.Key;
        }

        AssigneeId = assignee?.UserId;
        AssigneeName = assignee?.Name;
        Touch(now);
        var text = assignee is null ? $"Assigned to team {TeamKey}, no one in particular." : $"Assigned to {assignee.Name} ({TeamKey}){(automatic ? ", the least loaded member" : "")}.";
        Log(now, "assigned", by, reason is null ? text : $"{text} {reason}", new { team = TeamKey, assigneeId = AssigneeId, assigneeName = AssigneeName, automatic });
        Events.Add(new CaseAssignedIntegrationEvent(Id, TeamKey, AssigneeId, AssigneeName, automatic, by));
        return null;
    }

    public Error? Acknowledge(string? note, CaseActor by, DateTimeOffset now, BusinessCalendar calendar)
    {
        if (Refuse(CaseAction.Acknowledge) is { } refused)
        {
            return refused;
        }

        AcknowledgedAt = now;
        var withinSla = now <= FirstResponseDueAt;
        if (!withinSla)
        {
            Breach(SlaTarget.FirstResponse, FirstResponseDueAt, now);
        }

        ChangeStatus(CaseStatus.Acknowledged, by, now, calendar, note);
        Log(now, "acknowledged", by, note, new { withinSla, dueAt = FirstResponseDueAt });
        Events.Add(new CaseAcknowledgedIntegrationEvent(Id, now, withinSla, by));
        return null;
    }

    public Error? Move(CaseAction action, string? note, CaseActor by, DateTimeOffset now, BusinessCalendar calendar)
    {
        if (action is not (CaseAction.Start or CaseAction.WaitOnCustomer or CaseAction.Resume))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "Only start, wait-on-customer and resume are plain moves.");
        }

        if (Refuse(action) is { } refused)
        {
            return refused;
        }

        ChangeStatus(CaseLifecycle.Target(action)!.Value, by, now, calendar, note);
        return null;
    }

    public Error? AddNote(string text, CaseActor by, DateTimeOffset now)
    {
        Touch(now);
        Log(now, "note", by, text, null);
        return null;
    }

    public Error? Escalate(EscalationLevel? to, string reason, bool automatic, CaseActor by, DateTimeOffset now)
    {
        if (Refuse(CaseAction.Escalate) is { } refused)
        {
            return refused;
        }

        var target = to ?? (Level == EscalationLevel.Executive ? Level : Level + 1);
        if (target <= Level)
        {
            return Error.Conflict("case-escalation-level", Level == EscalationLevel.Executive
                ? "The case is already at executive level, the highest."
                : $"The case is at {Names.Of(Level)} level; it can only be escalated to a higher level.");
        }

        var from = Level;
        Level = target;
        if (automatic)
        {
            AutoEscalatedTo = target;
        }

        Touch(now);
        Log(now, "escalated", by, reason, new { from, to = target, automatic });
        Events.Add(new CaseEscalatedIntegrationEvent(Id, from, target, reason, automatic, by));
        return null;
    }

    public Error? Resolve(RootCause rootCause, string note, string? customerSummary, CaseActor by, DateTimeOffset now, BusinessCalendar calendar)
    {
        if (Refuse(CaseAction.Resolve) is { } refused)
        {
            return refused;
        }

        var withinSla = ResolutionBreachedAt is null && (IsPaused || now <= ResolutionDueAt);
        if (!IsPaused && now > ResolutionDueAt)
        {
            Breach(SlaTarget.Resolution, ResolutionDueAt, now);
        }

        RootCause = rootCause.Key;
        ResolutionNote = note;
        CustomerSummary = customerSummary;
        ResolvedAt = now;
        ChangeStatus(CaseStatus.Resolved, by, now, calendar, null);
        Log(now, "resolved", by, note, new { rootCause = rootCause.Key, customerSummary = customerSummary is not null, withinSla });
        Events.Add(new CaseResolvedIntegrationEvent(Id, FeedbackId, CustomerId, rootCause.Key, note, customerSummary, withinSla, by));
        return null;
    }

    public Error? Close(string? note, CaseActor by, DateTimeOffset now, BusinessCalendar calendar)
    {
        if (Refuse(CaseAction.Close) is { } refused)
        {
            return refused;
        }

        ClosedAt = now;
        ChangeStatus(CaseStatus.Closed, by, now, calendar, note);
        Events.Add(new CaseClosedIntegrationEvent(Id, by));
        return null;
    }

    public Error? Reopen(string reason, CaseActor by, DateTimeOffset now, BusinessCalendar calendar)
    {
        if (Refuse(CaseAction.Reopen) is { } refused)
        {
            return refused;
        }

        // The earlier resolution stays on the timeline; the next one is written afresh.
        ResolvedAt = null;
        ClosedAt = null;
        RootCause = null;
        ResolutionNote = null;
        CustomerSummary = null;
        ChangeStatus(CaseStatus.InProgress, by, now, calendar, reason);
        Log(now, "reopened", by, reason, null);
        Events.Add(new CaseReopenedIntegrationEvent(Id, reason, by));
        return null;
    }

    /// <summary>
    /// Who may see the case now, at its current <see cref="Version"/>: raised when it opens and whenever its team or
    /// level changes, after the version moved (see <c>CaseWork</c>), so a copy can tell the newer state from a late one.
    /// </summary>
    public CaseAccessChangedIntegrationEvent AccessChanged() => new(Id, CustomerId, TeamKey, Level, Version);

    /// <summary>Records missed targets once each; true when something new was missed.</summary>
    public bool DetectBreaches(DateTimeOffset now)
    {
        var found = false;
        if (AcknowledgedAt is null && CaseLifecycle.IsOpen(Status) && FirstResponseBreachedAt is null && now > FirstResponseDueAt)
        {
            Breach(SlaTarget.FirstResponse, FirstResponseDueAt, now);
            found = true;
        }

        if (CaseLifecycle.IsOpen(Status) && !IsPaused && ResolutionBreachedAt is null && now > ResolutionDueAt)
        {
            Breach(SlaTarget.Resolution, ResolutionDueAt, now);
            found = true;
        }

        return found;
    }

    public void Record(string kind, string text, CaseActor by, DateTimeOffset now)
    {
        Log(now, kind, by, text, null);
    }

    private void Breach(SlaTarget target, DateTimeOffset dueAt, DateTimeOffset now)
    {
        if ((target == SlaTarget.FirstResponse ? FirstResponseBreachedAt : ResolutionBreachedAt) is not null)
        {
            return;
        }

        if (target == SlaTarget.FirstResponse)
        {
            FirstResponseBreachedAt = now;
        }
        else
        {
            ResolutionBreachedAt = now;
        }

        var name = target == SlaTarget.FirstResponse ? "first response" : "resolution";
        Log(now, "slaBreached", CaseActors.System, $"The {name} target ({dueAt:u}) was missed.", new { target, dueAt });
        Events.Add(new CaseSlaBreachedIntegrationEvent(Id, target, dueAt, now, TeamKey, Priority));
    }

    private void ChangeStatus(CaseStatus to, CaseActor by, DateTimeOffset now, BusinessCalendar calendar, string? note)
    {
        var from = Status;
        var wasPaused = IsPaused;
        var pauses = to is CaseStatus.WaitingOnCustomer or CaseStatus.Resolved or CaseStatus.Closed;
        if (wasPaused && !pauses)
        {
            PausedMinutes += calendar.Between(PausedSince!.Value, now).TotalMinutes;
            PausedSince = null;
            ResolutionDueAt = calendar.Add(OpenedAt, TimeSpan.FromMinutes(ResolutionTargetMinutes + PausedMinutes));
        }
        else if (!wasPaused && pauses)
        {
            if (CaseLifecycle.IsOpen(Status) && now > ResolutionDueAt)
            {
                Breach(SlaTarget.Resolution, ResolutionDueAt, now);
            }

            PausedSince = now;
        }

        Status = to;
        Touch(now);
        UpdateDueSort();
        Log(now, "statusChanged", by, note, new { from, to });
        Events.Add(new CaseStatusChangedIntegrationEvent(Id, from, to, by));
    }

    /// <summary>Null when <paramref name="action"/> is allowed now; otherwise the 409 naming what is.</summary>
    public Error? Refuse(CaseAction action) => CaseLifecycle.Allows(Status, action)
        ? null
        : new Error(ErrorKind.Conflict, "case-transition", $"{(Names.Of(Status) is ['a' or 'e' or 'i' or 'o' or 'u', ..] ? "An" : "A")} {Names.Of(Status)} case cannot {CaseLifecycle.Name(action)}. Allowed now: {string.Join(", ", CaseLifecycle.Allowed(Status))}.")
        {
            Fields = new Dictionary<string, string[]> { ["status"] = [Names.Of(Status)], ["allowed"] = [.. CaseLifecycle.Allowed(Status)] },
        };

    private void Touch(DateTimeOffset now) => LastActivityAt = now;

    public void UpdateDueSort()
    {
        if (!CaseLifecycle.IsOpen(Status))
        {
            DueSort = NothingDue;
            return;
        }

        var due = IsPaused ? NothingDue : ResolutionDueAt;
        if (AcknowledgedAt is null && FirstResponseDueAt < due)
        {
            due = FirstResponseDueAt;
        }

        DueSort = due;
    }

    private void Log(DateTimeOffset now, string kind, CaseActor by, string? text, object? data) => NewEntries.Add(new CaseEntry
    {
        CaseId = Id,
        At = now,
        Kind = kind,
        ActorId = by.Id,
        ActorName = by.Name,
        Text = text,
        Data = data is null ? null : JsonSerializer.Serialize(data, Names.Json),
    });
}

/// <summary>What the routing decided for a new case.</summary>
internal sealed record NewCase(
    Guid FeedbackId,
    Guid CustomerId,
    CasePriority Priority,
    EscalationLevel Level,
    string? RequestedTeam,
    string? Loop,
    IReadOnlyList<string> Tags,
    int? Score,
    string? Category,
    string? Sentiment,
    string? Routing,
    bool Fallback);

internal static class CaseActors
{
    public static CaseActor System { get; } = new("system:cases", "ClosedLoop");

    public static CaseActor Routing { get; } = new("system:routing", "Routing rules");

    public static CaseActor Monitor { get; } = new("system:sla-monitor", "SLA monitor");
}
