using System.Linq.Expressions;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>
/// The columns of a case that a list item shows, plus the cursor's (priority, due time, id), and its topics joined
/// by <see cref="CaseTopic.Separator"/>. Lists read these instead of the whole row: the routing explanation, the SLA
/// clocks and the resolution are detail-only, and reading and materialising them was a good part of a page's cost
/// (bench/README.md, Cases). The topics come with the row, from a subquery on the case's key in case_topics, so a
/// page is one statement.
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
    int Version,
    string? Topics)
{
    /// <summary>The list's projection, as a step of <see cref="CaseListStatement"/>.</summary>
    public static Expression<Func<IQueryable<Case>, CasesDbContext, IQueryable<CaseListRow>>> Select { get; } = (q, db) => q.Select(c => new CaseListRow(
        c.Id, c.FeedbackId, c.CustomerId, c.Status, c.Priority, c.Level, c.TeamKey, c.AssigneeId, c.AssigneeName, c.Loop,
        c.Tags, c.Score, c.Category, c.Sentiment, c.OpenedAt, c.LastActivityAt, c.DueSort, c.Version,
        db.Topics.Where(t => t.CaseId == c.Id).GroupBy(t => t.CaseId).Select(g => string.Join(CaseTopic.Separator, g.Select(t => t.Topic))).FirstOrDefault()));
}
