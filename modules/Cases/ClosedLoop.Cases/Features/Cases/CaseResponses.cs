using System.Text.Json;
using System.Text.Json.Serialization;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Domain.Sla;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>First-response clock: due when the case is opened, met by acknowledging it.</summary>
/// <param name="TargetMinutes">Business minutes allowed.</param>
/// <param name="DueAt">When it is due (UTC).</param>
/// <param name="RespondedAt">When the case was acknowledged.</param>
/// <param name="State">pending, met or breached.</param>
/// <param name="BreachedAt">When the miss was recorded.</param>
internal sealed record FirstResponseSla(double TargetMinutes, DateTimeOffset DueAt, DateTimeOffset? RespondedAt, string State, DateTimeOffset? BreachedAt);

/// <summary>Resolution clock, counted in the team's business hours and standing still while waiting on the customer or resolved.</summary>
/// <param name="TargetMinutes">Business minutes allowed.</param>
/// <param name="DueAt">When it is due; null while the clock stands.</param>
/// <param name="ResolvedAt">When it was resolved.</param>
/// <param name="Paused">Whether the clock stands now.</param>
/// <param name="PausedMinutes">Business minutes the clock has stood, including the current pause.</param>
/// <param name="ElapsedMinutes">Business minutes the clock has run.</param>
/// <param name="RemainingMinutes">Business minutes left (negative once overdue).</param>
/// <param name="State">pending, paused, met or breached.</param>
/// <param name="BreachedAt">When the miss was recorded.</param>
internal sealed record ResolutionSla(
    double TargetMinutes, DateTimeOffset? DueAt, DateTimeOffset? ResolvedAt, bool Paused, double PausedMinutes, double ElapsedMinutes, double RemainingMinutes, string State, DateTimeOffset? BreachedAt);

/// <summary>The case's SLA clocks, as of <see cref="AsOf"/>.</summary>
/// <param name="AsOf">The instant the figures are computed for.</param>
/// <param name="TimeZone">The team calendar's time zone (UTC, round the clock, without a team).</param>
/// <param name="Overdue">Whether a target that can still be met is past due now.</param>
/// <param name="FirstResponse">The first-response clock.</param>
/// <param name="Resolution">The resolution clock.</param>
internal sealed record CaseSla(DateTimeOffset AsOf, string TimeZone, bool Overdue, FirstResponseSla FirstResponse, ResolutionSla Resolution);

/// <summary>One timeline entry.</summary>
/// <param name="Id">Increasing within the case.</param>
/// <param name="At">When.</param>
/// <param name="Kind">created, assigned, acknowledged, statusChanged, note, escalated, slaBreached, resolved, reopened, messageSent, workflowStep, …</param>
/// <param name="Actor">Who (system actors have ids starting with <c>system:</c>).</param>
/// <param name="Text">The note, reason or resolution note.</param>
/// <param name="Data">Details (from/to, levels, due times).</param>
internal sealed record TimelineEntry(long Id, DateTimeOffset At, string Kind, CaseActorDto Actor, string? Text, JsonElement? Data);

/// <summary>Who acted.</summary>
internal sealed record CaseActorDto(string Id, string Name);

/// <summary>The resolution.</summary>
/// <param name="RootCause">Key from <c>GET /api/v1/root-causes</c>.</param>
/// <param name="Note">Internal resolution note.</param>
/// <param name="CustomerSummary">What the customer may be told ("here's what we changed").</param>
internal sealed record CaseResolution(string RootCause, string? Note, string? CustomerSummary);

/// <summary>A case as lists show it.</summary>
internal record CaseSummary(
    Guid Id,
    Guid FeedbackId,
    Guid CustomerId,
    string Status,
    string Priority,
    string Level,
    string? Team,
    string? AssigneeId,
    string? AssigneeName,
    string? Loop,
    int? Score,
    string? Category,
    string? Sentiment,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> Tags,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset? DueAt,
    bool Overdue,
    int Version);

/// <summary>
/// A case with everything an agent needs: SLA clocks, the actions allowed now, the resolution, the routing
/// decision with its explanation, the full timeline, and the loops that run or ran for it (<c>loops</c>, newest
/// first: each instance with its status and the steps it waits on; <c>loop</c> stays the definition id routing chose).
/// The ETag header (= <c>"version"</c>) goes into <c>If-Match</c> of the next action; it is the case's version, which
/// a loop's progress does not change.
/// </summary>
internal sealed record CaseDetail(
    Guid Id,
    Guid FeedbackId,
    Guid CustomerId,
    string Status,
    string Priority,
    string Level,
    string? Team,
    string? AssigneeId,
    string? AssigneeName,
    string? Loop,
    int? Score,
    string? Category,
    string? Sentiment,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> Tags,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset? DueAt,
    bool Overdue,
    int Version,
    IReadOnlyList<string> AllowedActions,
    CaseSla Sla,
    CaseResolution? Resolution,
    bool RoutedByFallback,
    JsonElement? Routing,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<CaseLoop> Loops)
    : CaseSummary(Id, FeedbackId, CustomerId, Status, Priority, Level, Team, AssigneeId, AssigneeName, Loop, Score, Category, Sentiment, Topics, Tags, OpenedAt, LastActivityAt, DueAt, Overdue, Version);

/// <summary>A page of cases; pass <see cref="NextCursor"/> as <c>cursor</c> for the next one (null at the end).</summary>
internal sealed record CasePage(IReadOnlyList<CaseSummary> Items, int PageSize, string? NextCursor);

internal static class CaseMapping
{
    public static CaseSummary Summary(CaseListRow c, IReadOnlyList<string> topics, DateTimeOffset now) => new(
        c.Id, c.FeedbackId, c.CustomerId, Names.Of(c.Status), Names.Of(c.Priority), Names.Of(c.Level), c.TeamKey, c.AssigneeId, c.AssigneeName, c.Loop,
        c.Score, c.Category, c.Sentiment, topics, Tags(c.Tags), c.OpenedAt, c.LastActivityAt, DueAt(c.DueSort), c.DueSort < now, c.Version);

    public static CaseDetail Detail(Case c, IReadOnlyList<string> topics, IReadOnlyList<CaseEntry> entries, BusinessCalendar calendar, IReadOnlyList<CaseLoop> loops, DateTimeOffset now) => new(
        c.Id, c.FeedbackId, c.CustomerId, Names.Of(c.Status), Names.Of(c.Priority), Names.Of(c.Level), c.TeamKey, c.AssigneeId, c.AssigneeName, c.Loop,
        c.Score, c.Category, c.Sentiment, topics, Tags(c.Tags), c.OpenedAt, c.LastActivityAt, DueAt(c.DueSort), IsOverdue(c, now), c.Version,
        CaseLifecycle.Allowed(c.Status),
        Sla(c, calendar, now),
        c.RootCause is null ? null : new CaseResolution(c.RootCause, c.ResolutionNote, c.CustomerSummary),
        c.RoutedByFallback,
        c.Routing is null ? null : JsonDocument.Parse(c.Routing).RootElement.Clone(),
        [.. entries.Select(e => new TimelineEntry(e.Id, e.At, e.Kind, new CaseActorDto(e.ActorId, e.ActorName), e.Text, e.Data is null ? null : JsonDocument.Parse(e.Data).RootElement.Clone()))],
        loops);

    public static bool IsOverdue(Case c, DateTimeOffset now) => c.DueSort < now;

    private static DateTimeOffset? DueAt(DateTimeOffset dueSort) => dueSort == Case.NothingDue ? null : dueSort;

    // Most cases have no tags: no parser for them; the others through generated code, not reflection (a list page parses 50).
    private static IReadOnlyList<string> Tags(string tags) => tags == "[]" ? [] : JsonSerializer.Deserialize(tags, TagsJson.Default.ListString) ?? [];

    private static CaseSla Sla(Case c, BusinessCalendar calendar, DateTimeOffset now)
    {
        var open = CaseLifecycle.IsOpen(c.Status);
        var firstState = c.FirstResponseBreachedAt is not null || (c.AcknowledgedAt ?? now) > c.FirstResponseDueAt
            ? "breached"
            : c.AcknowledgedAt is not null || !open ? "met" : "pending";
        var currentPause = c.PausedSince is { } since ? calendar.Between(since, now).TotalMinutes : 0;
        var paused = c.PausedMinutes + currentPause;
        var elapsed = Math.Max(0, calendar.Between(c.OpenedAt, now).TotalMinutes - paused);
        var resolutionState = c.ResolutionBreachedAt is not null || (open && !c.IsPaused && now > c.ResolutionDueAt)
            ? "breached"
            : !open ? "met" : c.IsPaused ? "paused" : "pending";
        return new CaseSla(
            now,
            calendar.TimeZoneId,
            IsOverdue(c, now),
            new FirstResponseSla(c.FirstResponseTargetMinutes, c.FirstResponseDueAt, c.AcknowledgedAt, firstState, c.FirstResponseBreachedAt),
            new ResolutionSla(
                c.ResolutionTargetMinutes,
                c.IsPaused ? null : c.ResolutionDueAt,
                c.ResolvedAt,
                c.IsPaused,
                Math.Round(paused, 2),
                Math.Round(elapsed, 2),
                Math.Round(c.ResolutionTargetMinutes - elapsed, 2),
                resolutionState,
                c.ResolutionBreachedAt));
    }
}

/// <summary>A case's tags as stored (a JSON array of strings), read without reflection.</summary>
[JsonSerializable(typeof(List<string>))]
internal sealed partial class TagsJson : JsonSerializerContext;
