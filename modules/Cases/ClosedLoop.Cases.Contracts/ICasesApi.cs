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
}

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
    string? CustomerSummary);
