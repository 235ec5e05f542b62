using System.Security.Claims;
using System.Text.Json;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Improvements;

/// <summary>A change the company made because customers asked for it.</summary>
/// <param name="Title">Short name, up to 200 characters.</param>
/// <param name="Description">What changed, as customers read it (up to 5,000 characters).</param>
/// <param name="Topics">The feedback topics it answers, e.g. <c>delivery</c> (up to 20).</param>
/// <param name="LinkedCases">Cases it follows from (up to 500): their customers are told, and the cases count as communicated.</param>
/// <param name="EffectiveDate">When it took effect.</param>
internal sealed record CreateImprovementRequest(string? Title, string? Description, List<string>? Topics, List<Guid>? LinkedCases, DateOnly? EffectiveDate);

/// <summary>Announce an improvement to the customers who gave feedback on its topics in a window (and its linked cases' customers).</summary>
/// <param name="From">Feedback submitted at or after (UTC).</param>
/// <param name="To">Feedback submitted before (UTC); default now.</param>
internal sealed record AnnounceRequest(DateTimeOffset? From, DateTimeOffset? To);

/// <summary>An improvement, with what its announcements achieved.</summary>
internal sealed record ImprovementResponse(
    Guid Id,
    string Title,
    string Description,
    IReadOnlyList<string> Topics,
    IReadOnlyList<Guid> LinkedCases,
    DateOnly EffectiveDate,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    ImprovementCounts Counts,
    IReadOnlyList<AnnouncementResponse> Announcements);

/// <summary>One message per customer reached: sent, waiting to be sent, not sent on purpose, or failed for good.</summary>
internal sealed record ImprovementCounts(int Reached, int Pending, int Suppressed, int Failed, int Total);

/// <summary>One announce call and how far it got.</summary>
internal sealed record AnnouncementResponse(
    Guid Id,
    string Status,
    DateTimeOffset From,
    DateTimeOffset To,
    int Matched,
    int Queued,
    int AlreadyReached,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? CompletedAt,
    string? Error);

internal static class ImprovementEndpoints
{
    public const int MaxTopics = 20;
    public const int MaxLinkedCases = 500;

    /// <summary>Records an improvement; announce it with <c>POST /api/v1/improvements/{id}/announce</c>.</summary>
    internal static async Task<Results<Created<ImprovementResponse>, ProblemHttpResult>> Create(
        CreateImprovementRequest body,
        ClaimsPrincipal user,
        CommunicationDbContext db,
        ICasesApi cases,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var topics = body?.Topics?.Select(t => t?.Trim().ToLowerInvariant() ?? "").ToList() ?? [];
        var linked = body?.LinkedCases?.Distinct().ToList() ?? [];
        var errors = new FieldErrors()
            .When(string.IsNullOrWhiteSpace(body?.Title) || body.Title.Length > 200, "title", "title is required, up to 200 characters.")
            .When(string.IsNullOrWhiteSpace(body?.Description) || body.Description.Length > 5_000, "description", "description is required: what changed, as customers will read it (up to 5,000 characters).")
            .When(topics.Count > MaxTopics || topics.Any(t => t.Length is 0 or > 100), "topics", $"topics are up to {MaxTopics} non-empty names of up to 100 characters.")
            .When(topics.Count == 0 && linked.Count == 0, "topics", "Give topics, linkedCases or both: they decide who hears about it.")
            .When(linked.Count > MaxLinkedCases, "linkedCases", $"At most {MaxLinkedCases} linked cases.")
            .When(body?.EffectiveDate is null, "effectiveDate", "effectiveDate is required (YYYY-MM-DD).");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var missing = new List<Guid>();
        foreach (var caseId in linked)
        {
            if (await cases.FindAsync(caseId, cancellationToken) is null)
            {
                missing.Add(caseId);
            }
        }

        if (missing.Count > 0)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["linkedCases"] = [$"No case with id {string.Join(", ", missing.Take(10))}."] });
        }

        var improvement = new ImprovementRecord
        {
            Id = Guid.CreateVersion7(),
            Title = body!.Title!.Trim(),
            Description = body.Description!.Trim(),
            Topics = JsonSerializer.Serialize(topics.Distinct().Order(StringComparer.Ordinal).ToList()),
            LinkedCases = JsonSerializer.Serialize(linked),
            EffectiveDate = body.EffectiveDate!.Value,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = Callers.IdOf(user),
        };
        db.Improvements.Add(improvement);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/improvements/{improvement.Id}", await ResponseAsync(db, improvement, cancellationToken));
    }

    /// <summary>An improvement with its counts: customers reached, pending, suppressed (with consent, erasure, cap) and failed.</summary>
    internal static async Task<Results<Ok<ImprovementResponse>, ProblemHttpResult>> Get(Guid id, CommunicationDbContext db, CancellationToken cancellationToken)
    {
        var improvement = await db.Improvements.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        return improvement is null ? Problems.NotFound("improvement", id) : TypedResults.Ok(await ResponseAsync(db, improvement, cancellationToken));
    }

    /// <summary>
    /// Announces the improvement: one message (template <c>improvement-announcement</c>) to each customer who gave
    /// feedback on its topics in the window or whose case is linked, never twice to the same customer for the same
    /// improvement: announcing again (a wider window) reaches only customers not reached yet. Consent and the frequency
    /// cap apply; who is left out is recorded as suppressed with the reason. Runs in the background: 202, then follow
    /// it at <c>GET /api/v1/improvements/{id}</c>.
    /// </summary>
    internal static async Task<Results<Accepted<AnnouncementResponse>, ProblemHttpResult>> Announce(
        Guid id,
        AnnounceRequest body,
        ClaimsPrincipal user,
        CommunicationDbContext db,
        AnnouncementSignal signal,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var to = body?.To ?? now;
        var errors = new FieldErrors()
            .When(body?.From is null, "from", "from is required: feedback submitted at or after it is considered (UTC).")
            .When(body?.From is { } f && f >= to, "from", "from must be before to.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        if (!await db.Improvements.AnyAsync(i => i.Id == id, cancellationToken))
        {
            return Problems.NotFound("improvement", id);
        }

        var announcement = new AnnouncementRecord
        {
            Id = Guid.CreateVersion7(),
            ImprovementId = id,
            From = body!.From!.Value.ToUniversalTime(),
            To = to.ToUniversalTime(),
            Status = AnnouncementStatus.Running,
            CreatedAt = now,
            CreatedBy = Callers.IdOf(user),
        };
        db.Announcements.Add(announcement);
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return TypedResults.Accepted($"/api/v1/improvements/{id}", Response(announcement));
    }

    private static async Task<ImprovementResponse> ResponseAsync(CommunicationDbContext db, ImprovementRecord i, CancellationToken cancellationToken)
    {
        var byStatus = await db.Messages.AsNoTracking().Where(m => m.ImprovementId == i.Id)
            .GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        int Of(params MessageStatus[] statuses) => byStatus.Where(s => statuses.Contains(s.Key)).Sum(s => s.Count);
        var announcements = await db.Announcements.AsNoTracking().Where(a => a.ImprovementId == i.Id).OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
        return new ImprovementResponse(
            i.Id,
            i.Title,
            i.Description,
            JsonSerializer.Deserialize<List<string>>(i.Topics) ?? [],
            JsonSerializer.Deserialize<List<Guid>>(i.LinkedCases) ?? [],
            i.EffectiveDate,
            i.CreatedAt,
            i.CreatedBy,
            new ImprovementCounts(Of(MessageStatus.Sent), Of(MessageStatus.Pending, MessageStatus.Retrying), Of(MessageStatus.Suppressed), Of(MessageStatus.DeadLettered), byStatus.Sum(s => s.Count)),
            [.. announcements.Select(Response)]);
    }

    private static AnnouncementResponse Response(AnnouncementRecord a) => new(
        a.Id, a.Status.ToString().ToLowerInvariant(), a.From, a.To, a.Matched, a.Queued, a.AlreadyReached, a.CreatedAt, a.CreatedBy, a.CompletedAt, a.Error);
}
