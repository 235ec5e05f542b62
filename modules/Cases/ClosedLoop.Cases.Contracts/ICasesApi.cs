using ClosedLoop.SharedKernel;

namespace ClosedLoop.Cases.Contracts;

/// <summary>What other modules (the workflow runtime, Communication) may do with cases, in-process.</summary>
public interface ICasesApi
{
    /// <summary>The case's current state, or null when there is none.</summary>
    Task<CaseSnapshot?> FindAsync(Guid caseId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a case up one level (or to <paramref name="to"/>), with a reason on its timeline and a
    /// <see cref="CaseEscalatedIntegrationEvent"/>. Fails with a conflict when it is already at the top or not open.
    /// </summary>
    Task<Result<CaseSnapshot>> EscalateAsync(Guid caseId, string reason, CaseActor by, EscalationLevel? to = null, CancellationToken cancellationToken = default);

    /// <summary>Adds an entry to a case's timeline (a message sent, a workflow step), e.g. kind <c>messageSent</c>.</summary>
    Task<Result<CaseSnapshot>> RecordAsync(Guid caseId, string kind, string text, CaseActor by, CancellationToken cancellationToken = default);

    /// <summary>A team's name and members with their contact details (to notify them), or null when there is no such team.</summary>
    Task<TeamContacts?> TeamContactsAsync(string team, CancellationToken cancellationToken = default);
}

/// <summary>A team as a notification addresses it.</summary>
/// <param name="Key">Its key, e.g. <c>cx-emea</c>.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Members">Its members, available or not.</param>
public sealed record TeamContacts(string Key, string Name, IReadOnlyList<TeamMemberContact> Members);

/// <summary>A team member as a notification addresses them.</summary>
/// <param name="UserId">The caller id (API key id or JWT subject) cases name as assignee.</param>
/// <param name="Name">Display name.</param>
/// <param name="Email">Where notifications go; null when none is known.</param>
/// <param name="Level">The highest level they work in this team.</param>
/// <param name="Available">False while on leave.</param>
public sealed record TeamMemberContact(string UserId, string Name, string? Email, EscalationLevel Level, bool Available);

/// <summary>A case as other modules see it.</summary>
public sealed record CaseSnapshot(
    Guid Id,
    Guid FeedbackId,
    Guid CustomerId,
    CaseStatus Status,
    CasePriority Priority,
    EscalationLevel Level,
    string? Team,
    string? AssigneeId,
    string? Loop,
    DateTimeOffset OpenedAt,
    DateTimeOffset? FirstResponseDueAt,
    DateTimeOffset? ResolutionDueAt,
    string? CustomerSummary,
    string? AssigneeName = null,
    string? RootCause = null,
    DateTimeOffset? ResolvedAt = null);
