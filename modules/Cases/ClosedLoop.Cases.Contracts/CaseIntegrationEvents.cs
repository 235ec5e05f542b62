using ClosedLoop.SharedKernel;

namespace ClosedLoop.Cases.Contracts;

/// <summary>Who did something to a case: a person (API key or JWT subject) or the system (<c>system:…</c>).</summary>
/// <param name="Id">Stable id of the caller.</param>
/// <param name="Name">Display name.</param>
public sealed record CaseActor(string Id, string Name);

/// <summary>A case was opened for a routed piece of feedback (at most one per feedback).</summary>
/// <param name="CaseId">The case.</param>
/// <param name="FeedbackId">The feedback it follows up.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Team">The team's key (e.g. <c>cx-emea</c>), when the decision named one that exists.</param>
/// <param name="Priority">Its priority.</param>
/// <param name="Level">Its escalation level.</param>
/// <param name="Loop">The workflow definition id of the loop the decision chose, if any.</param>
/// <param name="FirstResponseDueAt">When the first response is due.</param>
/// <param name="ResolutionDueAt">When the resolution is due.</param>
public sealed record CaseOpenedIntegrationEvent(
    Guid CaseId,
    Guid FeedbackId,
    Guid CustomerId,
    string? Team,
    CasePriority Priority,
    EscalationLevel Level,
    string? Loop,
    DateTimeOffset FirstResponseDueAt,
    DateTimeOffset ResolutionDueAt) : IntegrationEvent;

/// <summary>A case got a team and/or an assignee.</summary>
public sealed record CaseAssignedIntegrationEvent(Guid CaseId, string? Team, string? AssigneeId, string? AssigneeName, bool Automatic, CaseActor By) : IntegrationEvent;

/// <summary>The first response to a case: it was acknowledged.</summary>
public sealed record CaseAcknowledgedIntegrationEvent(Guid CaseId, DateTimeOffset At, bool WithinSla, CaseActor By) : IntegrationEvent;

/// <summary>A case moved up a level.</summary>
public sealed record CaseEscalatedIntegrationEvent(Guid CaseId, EscalationLevel From, EscalationLevel To, string Reason, bool Automatic, CaseActor By) : IntegrationEvent;

/// <summary>Any change of a case's status (also published alongside the more specific events).</summary>
public sealed record CaseStatusChangedIntegrationEvent(Guid CaseId, CaseStatus From, CaseStatus To, CaseActor By) : IntegrationEvent;

/// <summary>A case was resolved: with its root cause and, when given, the summary the customer may be told.</summary>
public sealed record CaseResolvedIntegrationEvent(
    Guid CaseId,
    Guid FeedbackId,
    Guid CustomerId,
    string RootCause,
    string ResolutionNote,
    string? CustomerSummary,
    bool WithinSla,
    CaseActor By) : IntegrationEvent;

/// <summary>A resolved case was closed.</summary>
public sealed record CaseClosedIntegrationEvent(Guid CaseId, CaseActor By) : IntegrationEvent;

/// <summary>A resolved or closed case was reopened.</summary>
public sealed record CaseReopenedIntegrationEvent(Guid CaseId, string Reason, CaseActor By) : IntegrationEvent;

/// <summary>A case missed an SLA target (once per target).</summary>
public sealed record CaseSlaBreachedIntegrationEvent(Guid CaseId, SlaTarget Target, DateTimeOffset DueAt, DateTimeOffset DetectedAt, string? Team, CasePriority Priority) : IntegrationEvent;

/// <summary>
/// Who may see a case changed: it was opened, moved to another team or escalated (also published once for every
/// case that existed before this event did). Modules that show what hangs off cases (a customer, their feedback)
/// keep their own copy of it and so scope agents the way the case list does.
/// </summary>
/// <param name="CaseId">The case.</param>
/// <param name="CustomerId">Its customer.</param>
/// <param name="Team">Its team's key, or null while it has none (then only admins see it).</param>
/// <param name="Level">Its escalation level: members of its team at this level or higher see it.</param>
/// <param name="Version">The case's version at the change; a copy keeps the highest it has seen, so a late delivery of an older event changes nothing.</param>
public sealed record CaseAccessChangedIntegrationEvent(Guid CaseId, Guid CustomerId, string? Team, EscalationLevel Level, int Version) : IntegrationEvent;

/// <summary>
/// A loop that ran for a case finished: completed, or cancelled by an operator. Published once per loop instance by the
/// Cases module (from the workflow runtime's finish event), with the case's timeline entry (<c>loopCompleted</c> or
/// <c>loopCancelled</c>) in the same transaction. Insights measures loops by it: how long closing the loop took and
/// whether the customer's score moved.
/// </summary>
/// <param name="CaseId">The case the loop ran for.</param>
/// <param name="CustomerId">The case's customer.</param>
/// <param name="InstanceId">The loop instance (<c>GET /api/v1/workflow-instances/{id}</c>).</param>
/// <param name="Loop">The workflow definition id, e.g. <c>detractor-recovery</c>.</param>
/// <param name="Version">The definition version the instance ran.</param>
/// <param name="Outcome">How it finished, as the runtime says it: <c>completed</c> or <c>cancelled</c>.</param>
/// <param name="StartedAt">When the instance started.</param>
/// <param name="FinishedAt">When it finished.</param>
/// <param name="Duration"><paramref name="FinishedAt"/> − <paramref name="StartedAt"/> (calendar time).</param>
/// <param name="ScoreBefore">The score (0–10) of the feedback the case follows up; null for comment-only feedback.</param>
/// <param name="ScoreAfter">
/// The score the customer gave during the loop: the newest numeric <c>score</c> among the outputs of the instance's steps
/// (a follow-up survey's answer); null when nobody answered one.
/// </param>
/// <param name="ScoreChange"><paramref name="ScoreAfter"/> − <paramref name="ScoreBefore"/> when both are known, else null.</param>
public sealed record LoopCompletedIntegrationEvent(
    Guid CaseId,
    Guid CustomerId,
    Guid InstanceId,
    string Loop,
    int Version,
    string Outcome,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    TimeSpan Duration,
    int? ScoreBefore,
    int? ScoreAfter,
    int? ScoreChange) : IntegrationEvent;
