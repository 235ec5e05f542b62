using System.Linq.Expressions;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Domain;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>
/// The columns of a case that a list item shows, plus the cursor's (priority, due time, id). Lists read these
/// 18 instead of the whole row: the routing explanation, the SLA clocks and the resolution are detail-only, and
/// reading and materialising them was a good part of a page's cost (bench/README.md, Cases).
/// </summary>
internal sealed record CaseListRow(
    Guid Id,
    Guid FeedbackId,
    Guid CustomerId,
    CaseStatus Status,
    CasePriority Priority,
    EscalationLevel Level,
    string? TeamKey,
    string? AssigneeId,
    string? AssigneeName,
    string? Loop,
    string Tags,
    int? Score,
    string? Category,
    string? Sentiment,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset DueSort,
    int Version)
{
    public static Expression<Func<Case, CaseListRow>> FromCase { get; } = c => new CaseListRow(
        c.Id, c.FeedbackId, c.CustomerId, c.Status, c.Priority, c.Level, c.TeamKey, c.AssigneeId, c.AssigneeName, c.Loop,
        c.Tags, c.Score, c.Category, c.Sentiment, c.OpenedAt, c.LastActivityAt, c.DueSort, c.Version);
}
