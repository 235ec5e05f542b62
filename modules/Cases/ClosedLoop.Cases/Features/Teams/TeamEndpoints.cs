using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Domain.Sla;
using ClosedLoop.Cases.Features.Access;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Cases.Features.Teams;

/// <summary>A member of a team.</summary>
/// <param name="UserId">The caller id the member authenticates as: an API key's id (from <c>POST /api/v1/api-keys</c>) or a JWT subject.</param>
/// <param name="Name">Display name.</param>
/// <param name="Email">Optional e-mail for internal notifications.</param>
/// <param name="Level">frontline (default), management or executive: the member sees the team's cases at this level and below.</param>
/// <param name="Available">False while away: still sees the cases, but automatic assignment skips them. Default true.</param>
internal sealed record TeamMemberDto(string UserId, string Name, string? Email, string? Level, bool? Available);

/// <summary>A team's SLA targets for one priority, in business hours (null: the module default).</summary>
internal sealed record TeamSlaDto(double? FirstResponseHours, double? ResolutionHours);

/// <summary>A team as created or replaced.</summary>
/// <param name="Key">What routing rules call it (<c>team</c> decision): lower case letters, digits and dashes, e.g. <c>cx-emea</c>. Cannot change once created.</param>
/// <param name="Name">Display name.</param>
/// <param name="TimeZone">IANA time zone of its business hours and holidays, e.g. <c>Europe/Berlin</c> (default UTC).</param>
/// <param name="BusinessHours">Opening intervals per weekday; empty or absent: round the clock. SLAs count only open time.</param>
/// <param name="Holidays">Local dates (yyyy-MM-dd) the team is closed.</param>
/// <param name="SlaTargets">Targets by priority (<c>urgent</c>, <c>high</c>, <c>normal</c>, <c>low</c>); the routing decision's <c>slaHours</c> overrides the resolution target.</param>
/// <param name="Members">Everyone who works the team's cases.</param>
internal sealed record TeamRequest(
    string? Key,
    string? Name,
    string? TimeZone,
    List<OpeningHoursDto>? BusinessHours,
    List<DateOnly>? Holidays,
    Dictionary<string, TeamSlaDto>? SlaTargets,
    List<TeamMemberDto>? Members);

/// <summary>A team.</summary>
internal sealed record TeamResponse(
    Guid Id,
    string Key,
    string Name,
    string TimeZone,
    IReadOnlyList<OpeningHoursDto> BusinessHours,
    IReadOnlyList<DateOnly> Holidays,
    IReadOnlyDictionary<string, TeamSlaDto> SlaTargets,
    IReadOnlyList<TeamMemberDto> Members,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IAuditTarget
{
    string IAuditTarget.AuditTarget => Key;
}

/// <summary>All teams.</summary>
internal sealed record TeamList(IReadOnlyList<TeamResponse> Items);

internal static partial class TeamEndpoints
{
    public const int MaxHolidays = 1_000;

    /// <summary>Longest IANA time zone id accepted (the column's size; real ids are under 40).</summary>
    public const int MaxTimeZoneLength = 64;

    /// <summary>Longer than any priority's name: an SLA target under such a key is refused without repeating it.</summary>
    private const int MaxPriorityLength = 20;

    /// <summary>Lists the teams the caller may see, with their members, schedule and SLA targets, by key.</summary>
    /// <remarks>
    /// Admins (and members of every team, <c>Cases:EveryTeamMembers</c>) see every team; an agent sees only the teams
    /// it is a member of, at any level. Other teams, their members and the members' key ids are not listed.
    /// </remarks>
    internal static async Task<Ok<TeamList>> List(ClaimsPrincipal user, CasesDbContext db, IOptions<CasesOptions> options, CancellationToken cancellationToken)
    {
        var teams = await Visible(db.Teams.AsNoTracking(), user, options).Include(t => t.Members).OrderBy(t => t.Key).ToListAsync(cancellationToken);
        return TypedResults.Ok(new TeamList([.. teams.Select(ToResponse)]));
    }

    /// <summary>One team, by id or key; the ETag is its version, for <c>If-Match</c> on PUT.</summary>
    /// <remarks>An agent reads only a team it is a member of; any other team answers 404, as one that does not exist. Admins read every team.</remarks>
    internal static async Task<Results<Ok<TeamResponse>, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, CasesDbContext db, IOptions<CasesOptions> options, HttpResponse response, CancellationToken cancellationToken)
    {
        var team = await FindAsync(Visible(db.Teams.AsNoTracking(), user, options), id, cancellationToken);
        if (team is null)
        {
            return Problems.NotFound("team", id);
        }

        response.Headers.ETag = $"\"{team.Version}\"";
        return TypedResults.Ok(ToResponse(team));
    }

    /// <summary>Creates a team. Its key is what routing rules name in their <c>team</c> decision.</summary>
    /// <remarks>
    /// Example: <c>{ "key": "cx-emea", "name": "Customer care EMEA", "timeZone": "Europe/Berlin",
    /// "businessHours": [{ "day": "monday", "open": "09:00", "close": "17:00" }, …], "holidays": ["2026-12-25"],
    /// "slaTargets": { "urgent": { "firstResponseHours": 1, "resolutionHours": 8 } },
    /// "members": [{ "userId": "0b6c…", "name": "Ada", "level": "frontline" }] }</c>.
    /// </remarks>
    internal static async Task<Results<Created<TeamResponse>, ProblemHttpResult>> Create(TeamRequest request, CasesDbContext db, TimeProvider time, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var key = request.Key?.Trim() ?? "";
        errors.When(!KeyPattern().IsMatch(key), "key", "key is required: 1–64 lower-case letters, digits and dashes, starting with a letter or digit (e.g. cx-emea).");
        var now = time.GetUtcNow();
        var team = new Team { Id = Guid.CreateVersion7(now), Key = key, Name = "", TimeZone = "UTC", CreatedAt = now, Version = 1 };
        Apply(request, team, errors, now);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        if (await db.Teams.AnyAsync(t => t.Key == key, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"A team with key '{key}' exists; change it with PUT /api/v1/teams/{key}.");
        }

        db.Teams.Add(team);
        await db.SaveChangesAsync(cancellationToken);
        response.Headers.ETag = $"\"{team.Version}\"";
        return TypedResults.Created($"/api/v1/teams/{team.Id}", ToResponse(team));
    }

    /// <summary>Replaces a team's name, schedule, SLA targets and members (by id or key; the key itself cannot change).</summary>
    /// <remarks>Send <c>If-Match</c> with the ETag from GET to be sure nobody changed it meanwhile (412 otherwise). Open cases keep their due times until their clock next moves.</remarks>
    internal static async Task<Results<Ok<TeamResponse>, ProblemHttpResult>> Update(
        string id, TeamRequest request, CasesDbContext db, TimeProvider time, HttpRequest http, HttpResponse response, CancellationToken cancellationToken)
    {
        var team = await FindAsync(db.Teams, id, cancellationToken);
        if (team is null)
        {
            return Problems.NotFound("team", id);
        }

        if (http.Headers.IfMatch.Count > 0 && !http.Headers.IfMatch.Contains($"\"{team.Version}\"") && !http.Headers.IfMatch.Contains("*"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed", detail: $"The team changed since you read it; it is now at version {team.Version}. Read it again and reapply your change.");
        }

        var errors = new FieldErrors();
        errors.When(request.Key is not null && !string.Equals(request.Key.Trim(), team.Key, StringComparison.Ordinal), "key", $"key cannot change (it is '{team.Key}'): rules name teams by key.");
        Apply(request, team, errors, time.GetUtcNow());
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        team.Version++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed", detail: "The team was changed by someone else at the same time. Read it again and reapply your change.");
        }

        response.Headers.ETag = $"\"{team.Version}\"";
        return TypedResults.Ok(ToResponse(team));
    }

    /// <summary>The teams <paramref name="user"/> may read: all for admins and every-team members, else those it is a member of.</summary>
    private static IQueryable<Team> Visible(IQueryable<Team> teams, ClaimsPrincipal user, IOptions<CasesOptions> options)
    {
        var (actor, isAdmin, everyTeam) = CaseViewer.Identify(user, options);
        return isAdmin || everyTeam ? teams : teams.Where(t => t.Members.Any(m => m.UserId == actor.Id));
    }

    /// <summary>JSON null where an object belongs (the binder lets it into lists and dictionaries).</summary>
    private static IEnumerable<string> NullEntries(TeamRequest request)
    {
        var members = request.Members ?? [];
        var hours = request.BusinessHours ?? [];
        return Enumerable.Range(0, members.Count).Where(i => members[i] is null).Select(i => $"members[{i}]")
            .Concat(Enumerable.Range(0, hours.Count).Where(i => hours[i] is null).Select(i => $"businessHours[{i}]"))
            .Concat((request.SlaTargets ?? []).Where(t => t.Value is null).Select(t => $"slaTargets.{(t.Key.Length > 20 ? t.Key[..20] + "…" : t.Key)}"));
    }

    internal static Task<Team?> FindAsync(IQueryable<Team> teams, string id, CancellationToken cancellationToken) => Guid.TryParse(id, out var guid)
        ? teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Id == guid, cancellationToken)
        : teams.Include(t => t.Members).FirstOrDefaultAsync(t => t.Key == id.ToLowerInvariant(), cancellationToken);

    private static void Apply(TeamRequest request, Team team, FieldErrors errors, DateTimeOffset now)
    {
        if (NullEntries(request).ToList() is { Count: > 0 } nulls)
        {
            nulls.ForEach(field => errors.Add(field, $"{field} must be an object, not null."));
            return;
        }

        var name = request.Name?.Trim();
        errors.When(string.IsNullOrEmpty(name) || name.Length > 200, "name", "name is required, at most 200 characters.");
        var zone = string.IsNullOrWhiteSpace(request.TimeZone) ? "UTC" : request.TimeZone.Trim();
        errors.When(zone.Length > MaxTimeZoneLength, "timeZone", $"timeZone is an IANA id such as 'Europe/Berlin', at most {MaxTimeZoneLength} characters.");
        var calendarErrors = new Dictionary<string, List<string>>();
        var intervals = request.BusinessHours ?? [];
        errors.When(intervals.Count > CalendarValidation.MaxIntervals, "businessHours", $"businessHours must have at most {CalendarValidation.MaxIntervals} intervals.");
        var hours = intervals.Count > CalendarValidation.MaxIntervals ? null : TeamSchedule.Parse(intervals, calendarErrors);
        var holidays = request.Holidays ?? [];
        errors.When(holidays.Count > MaxHolidays, "holidays", $"At most {MaxHolidays} holidays.");
        if (hours is not null && zone.Length <= MaxTimeZoneLength)
        {
            BusinessCalendar.Create(zone, hours, holidays, calendarErrors);
        }

        foreach (var (field, messages) in calendarErrors)
        {
            foreach (var message in messages)
            {
                errors.Add(field, message);
            }
        }

        var targets = new Dictionary<string, TeamSlaDto>(StringComparer.Ordinal);
        foreach (var (priority, target) in request.SlaTargets ?? [])
        {
            var parsed = Names.Priority(priority);
            if (parsed is null && priority.Length > MaxPriorityLength)
            {
                errors.Add("slaTargets", $"slaTargets is keyed by priority ({Names.List<CasePriority>()}); a key has {priority.Length:N0} characters.");
                continue;
            }

            if (parsed is null)
            {
                errors.Add($"slaTargets.{priority}", $"'{priority}' is not a priority ({Names.List<CasePriority>()}).");
                continue;
            }

            errors.When(target.FirstResponseHours is <= 0 or > 8760, $"slaTargets.{priority}.firstResponseHours", "firstResponseHours must be more than 0 and at most 8760.")
                .When(target.ResolutionHours is <= 0 or > 8760, $"slaTargets.{priority}.resolutionHours", "resolutionHours must be more than 0 and at most 8760.");
            targets[Names.Of(parsed.Value)] = target;
        }

        var members = new List<TeamMember>();
        var memberList = request.Members ?? [];
        errors.When(memberList.Count > Team.MaxMembers, "members", $"At most {Team.MaxMembers} members.");
        for (var i = 0; i < memberList.Count; i++)
        {
            var m = memberList[i];
            var userId = m.UserId?.Trim() ?? "";
            var memberName = m.Name?.Trim() ?? "";
            var level = m.Level is null ? EscalationLevel.Frontline : Names.Level(m.Level);
            errors.When(userId.Length is 0 or > 200, $"members[{i}].userId", "userId is required (an API key id or JWT subject), at most 200 characters.")
                .When(memberName.Length is 0 or > 200, $"members[{i}].name", "name is required, at most 200 characters.")
                .When(level is null, $"members[{i}].level", $"level must be {Names.List<EscalationLevel>()}.")
                .When(m.Email is { Length: > 320 } || (m.Email is { } e && !e.Contains('@', StringComparison.Ordinal)), $"members[{i}].email", "email must be an address, at most 320 characters.")
                .When(members.Any(x => x.UserId == userId), $"members[{i}].userId", $"'{userId}' is listed twice.");
            members.Add(new TeamMember { TeamId = team.Id, UserId = userId, Name = memberName, Email = m.Email?.Trim(), Level = level ?? EscalationLevel.Frontline, Available = m.Available ?? true });
        }

        if (!errors.IsEmpty)
        {
            return;
        }

        team.Name = name!;
        team.TimeZone = zone;
        team.BusinessHours = JsonSerializer.Serialize(hours!.Select(h => new OpeningHoursDto(Names.Of(h.Day), TeamSchedule.Format(h.Open), TeamSchedule.Format(h.Close))), Names.Json);
        team.Holidays = JsonSerializer.Serialize(holidays.Distinct().Order(), Names.Json);
        team.SlaTargets = targets.Count == 0 ? null : JsonSerializer.Serialize(targets, Names.Json);
        team.UpdatedAt = now;

        // Replace members in place so that EF updates the rows that stay instead of deleting and re-adding them.
        team.Members.RemoveAll(existing => members.All(m => m.UserId != existing.UserId));
        foreach (var member in members)
        {
            var existing = team.Members.FirstOrDefault(x => x.UserId == member.UserId);
            if (existing is null)
            {
                team.Members.Add(member);
            }
            else
            {
                (existing.Name, existing.Email, existing.Level, existing.Available) = (member.Name, member.Email, member.Level, member.Available);
            }
        }
    }

    internal static TeamResponse ToResponse(Team team) => new(
        team.Id,
        team.Key,
        team.Name,
        team.TimeZone,
        JsonSerializer.Deserialize<List<OpeningHoursDto>>(team.BusinessHours, Names.Json) ?? [],
        JsonSerializer.Deserialize<List<DateOnly>>(team.Holidays, Names.Json) ?? [],
        team.SlaTargets is null ? new Dictionary<string, TeamSlaDto>() : JsonSerializer.Deserialize<Dictionary<string, TeamSlaDto>>(team.SlaTargets, Names.Json) ?? [],
        [.. team.Members.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new TeamMemberDto(m.UserId, m.Name, m.Email, Names.Of(m.Level), m.Available))],
        team.CreatedAt,
        team.UpdatedAt,
        team.Version);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex KeyPattern();
}
