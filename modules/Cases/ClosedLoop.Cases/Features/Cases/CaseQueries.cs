using System.Data;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Features.Access;
using ClosedLoop.Cases.Features.Teams;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Cases.Features.Cases;

internal static class CaseQueries
{
    private const int OptimisticReads = 8;

    /// <summary>One case with its SLA clocks, the actions allowed now, the routing explanation, the full timeline and its loops.</summary>
    /// <remarks>
    /// The ETag header is the case's version: send it as <c>If-Match</c> with the next action to be sure nobody acted meanwhile. Cases of teams you are not in answer 404.
    /// <c>loops</c> lists the workflow instances that run or ran for the case, newest first: instance id, definition id, version,
    /// status (running, waiting, faulted, completed, cancelled) and, while waiting, the steps it waits on with their due times.
    /// </remarks>
    /// <param name="id">The case id.</param>
    /// <param name="user">The caller.</param>
    /// <param name="db">The Cases database.</param>
    /// <param name="options">Module settings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loops">The case's loops, from the workflow runtime.</param>
    /// <param name="response">To set the ETag.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Get(
        Guid id, ClaimsPrincipal user, CasesDbContext db, IOptions<CasesOptions> options, TimeProvider time, CaseLoops loops, HttpResponse response, CancellationToken cancellationToken)
    {
        var viewer = await CaseViewer.OfAsync(user, db, options, cancellationToken);
        var found = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (found is null || !viewer.CanSee(found))
        {
            return Problems.NotFound("case", id);
        }

        var (shown, detail) = await DetailAsync(db, found, time.GetUtcNow(), await loops.OfAsync(id, cancellationToken), cancellationToken);
        response.Headers.ETag = shown.ETag;
        return TypedResults.Ok(detail);
    }

    /// <summary>
    /// The detail of <paramref name="found"/> as of one version of the case: the case shown (newer than
    /// <paramref name="found"/> when the case changed meanwhile; its ETag belongs to the detail) and its detail.
    /// </summary>
    /// <remarks>
    /// The row, the timeline and the topics are separate statements, and each sees what was committed when it ran
    /// (PostgreSQL's read committed; SQLite outside a transaction). A change committed between them, such as the SLA
    /// monitor escalating, showed the row of one version with the timeline of the next: level frontline under an
    /// "escalated" entry. Every change to a case's timeline or topics raises its version in the same transaction,
    /// so the timeline and topics belong to the row when the version still reads the same after them; otherwise
    /// they are read again with the newer row. No transaction on the way: on SQLite one would queue every read
    /// behind the writers (decision 0014). A case that keeps changing faster than it can be read is read once more
    /// in a transaction (decision 0031).
    /// </remarks>
    internal static async Task<(Case Case, CaseDetail Detail)> DetailAsync(CasesDbContext db, Case found, DateTimeOffset now, IReadOnlyList<CaseLoop> loops, CancellationToken cancellationToken)
    {
        for (var read = 0; read < OptimisticReads; read++)
        {
            var (entries, topics) = await TimelineAsync(db, found.Id, cancellationToken);
            var version = await db.Cases.AsNoTracking().Where(c => c.Id == found.Id).Select(c => (int?)c.Version).FirstOrDefaultAsync(cancellationToken);
            if (version is null || version == found.Version)
            {
                return (found, await DetailAsync(db, found, entries, topics, loops, now, cancellationToken));
            }

            found = await db.Cases.AsNoTracking().FirstAsync(c => c.Id == found.Id, cancellationToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        found = await db.Cases.AsNoTracking().FirstAsync(c => c.Id == found.Id, cancellationToken);
        var (lastEntries, lastTopics) = await TimelineAsync(db, found.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (found, await DetailAsync(db, found, lastEntries, lastTopics, loops, now, cancellationToken));
    }

    private static async Task<(List<CaseEntry> Entries, List<string> Topics)> TimelineAsync(CasesDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var entries = await db.Entries.AsNoTracking().Where(e => e.CaseId == id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        // Ordinal order, as lists give them (a database's collation may order otherwise).
        var topics = (await db.Topics.AsNoTracking().Where(t => t.CaseId == id).Select(t => t.Topic).ToListAsync(cancellationToken)).Order(StringComparer.Ordinal).ToList();
        return (entries, topics);
    }

    // The team only gives the calendar the SLA clocks are shown in: it is not part of the case's version.
    private static async Task<CaseDetail> DetailAsync(CasesDbContext db, Case found, List<CaseEntry> entries, List<string> topics, IReadOnlyList<CaseLoop> loops, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var team = found.TeamId is { } teamId ? await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken) : null;
        return CaseMapping.Detail(found, topics, entries, TeamSchedule.CalendarOf(team), loops, now);
    }

    /// <summary>Lists the cases you may see, most urgent first, with keyset paging.</summary>
    /// <remarks>
    /// Filters combine; <c>status</c>, <c>priority</c> and <c>level</c> take comma-separated lists. Sorted by the next
    /// due time (<c>sort=due</c>, the default; cases with nothing due last) or by priority, then due time
    /// (<c>sort=priority</c>). Follow <c>nextCursor</c> until it is null; a cursor belongs to its sort.
    /// </remarks>
    /// <param name="status">new, acknowledged, inProgress, waitingOnCustomer, resolved, closed; or <c>open</c> for the first four.</param>
    /// <param name="team">A team key, e.g. <c>cx-emea</c>.</param>
    /// <param name="assignee">An assignee's user id, <c>me</c>, or <c>none</c> for unassigned cases.</param>
    /// <param name="priority">low, normal, high, urgent.</param>
    /// <param name="level">frontline, management, executive.</param>
    /// <param name="overdue">true: only cases with a target past due now; false: only the others.</param>
    /// <param name="customerId">Only this customer's cases.</param>
    /// <param name="topic">Only cases whose feedback has this topic, e.g. <c>delivery</c> (a case keeps its feedback's first 32 topics).</param>
    /// <param name="sort">due (default) or priority.</param>
    /// <param name="cursor">From the previous page's nextCursor.</param>
    /// <param name="pageSize">1–500, default 50.</param>
    /// <param name="user">The caller.</param>
    /// <param name="db">The Cases database.</param>
    /// <param name="options">Module settings.</param>
    /// <param name="teams">Team ids by key.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<CasePage>, ProblemHttpResult>> List(
        string? status,
        string? team,
        string? assignee,
        string? priority,
        string? level,
        bool? overdue,
        Guid? customerId,
        string? topic,
        string? sort,
        string? cursor,
        int? pageSize,
        ClaimsPrincipal user,
        CasesDbContext db,
        IOptions<CasesOptions> options,
        TeamIds teams,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var statuses = ParseList<CaseStatus>(status, "status", errors, open: true);
        var priorities = ParseList<CasePriority>(priority, "priority", errors);
        var levels = ParseList<EscalationLevel>(level, "level", errors);
        var byPriority = sort?.Trim().ToLowerInvariant() switch
        {
            null or "" or "due" => false,
            "priority" => true,
            _ => errors.Add("sort", "sort must be due or priority.") is null,
        };
        var size = pageSize ?? 50;
        errors.When(size is < 1 or > 500, "pageSize", "pageSize must be between 1 and 500.");
        var after = cursor is null ? null : Cursor.Decode(cursor, byPriority);
        errors.When(cursor is not null && after is null, "cursor", "cursor is not one this API returned for this sort.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var (actor, isAdmin, everyTeam) = CaseViewer.Identify(user, options);
        var (filters, args) = Statement(statuses, priorities, levels, assignee, overdue, customerId, topic, actor, seesAll: isAdmin || everyTeam);
        var teamKey = Team.KeyOf(team);
        var now = time.GetUtcNow();
        (args.Now, args.Take) = (now, size + 1);

        // A list only reads: no tracking for the whole request (the pool resets it), and one connection for its
        // statements instead of one opened and closed per statement.
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (teamKey is not null)
            {
                if (await teams.OfAsync(db, teamKey, cancellationToken) is not { } teamId)
                {
                    return Problems.Validation(new Dictionary<string, string[]> { ["team"] = [$"No team with key '{teamKey}'."] });
                }

                (filters, args.TeamId) = (filters | CaseListFilters.Team, teamId);
            }

            var page = await PageAsync(db, filters, args, byPriority, after, cancellationToken);

            var shown = page.Count > size ? page[..size] : page;
            var next = page.Count > size ? Cursor.Encode(shown[^1], byPriority) : null;
            return TypedResults.Ok(new CasePage([.. shown.Select(c => CaseMapping.Summary(c, CaseTopic.Split(c.Topics), now))], size, next));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Which list statement a request needs and its values. One value is an equality (an index range); several go to
    /// the database as one array parameter. Agents who do not see every team get the visibility rule.
    /// </summary>
    private static (CaseListFilters Filters, CaseListArgs Args) Statement(
        List<CaseStatus>? statuses, List<CasePriority>? priorities, List<EscalationLevel>? levels, string? assignee, bool? overdue, Guid? customerId, string? topic, CaseActor actor, bool seesAll)
    {
        var args = new CaseListArgs();
        var filters = seesAll ? CaseListFilters.None : CaseListFilters.Visible;
        args.ViewerId = actor.Id;
        if (statuses is { Count: > 0 })
        {
            (filters, args.Status, args.Statuses) = (filters | (statuses.Count == 1 ? CaseListFilters.Status : CaseListFilters.Statuses), statuses[0], statuses);
        }

        if (priorities is { Count: > 0 })
        {
            (filters, args.Priority, args.Priorities) = (filters | (priorities.Count == 1 ? CaseListFilters.Priority : CaseListFilters.Priorities), priorities[0], priorities);
        }

        if (levels is { Count: > 0 })
        {
            (filters, args.Level, args.Levels) = (filters | (levels.Count == 1 ? CaseListFilters.Level : CaseListFilters.Levels), levels[0], levels);
        }

        switch (assignee?.Trim())
        {
            case null or "":
                break;
            case "none":
                filters |= CaseListFilters.Unassigned;
                break;
            case var who:
                (filters, args.Assignee) = (filters | CaseListFilters.Assignee, who == "me" ? actor.Id : who);
                break;
        }

        if (overdue is { } late)
        {
            filters |= late ? CaseListFilters.Overdue : CaseListFilters.NotOverdue;
        }

        if (customerId is { } customer)
        {
            (filters, args.Customer) = (filters | CaseListFilters.Customer, customer);
        }

        if (CaseTopic.Normalize(topic) is { } wanted)
        {
            (filters, args.Topic) = (filters | CaseListFilters.Topic, wanted);
        }

        return (filters, args);
    }

    /// <summary>
    /// Up to <see cref="CaseListArgs.Take"/> cases after <paramref name="after"/>, each read as one range of an index that
    /// ends in the sort (see <see cref="Data.CasesDbContext"/>), so a page deep behind the cursor costs what the first one does.
    /// </summary>
    private static async Task<List<CaseListRow>> PageAsync(CasesDbContext db, CaseListFilters filters, CaseListArgs args, bool byPriority, Cursor? after, CancellationToken cancellationToken)
    {
        if (after is null)
        {
            return await CaseListStatement.RowsAsync(db, filters, byPriority ? CaseListRange.ByPriority : CaseListRange.ByDue, args, cancellationToken);
        }

        (args.CursorPriority, args.CursorDue, args.CursorId) = (after.Priority, after.Due, after.Id);
        var amongNothingDue = after.Due == Case.NothingDue;
        if (!byPriority)
        {
            return await CaseListStatement.RowsAsync(db, filters, amongNothingDue ? CaseListRange.ByDueAfterNothingDue : CaseListRange.ByDueAfter, args, cancellationToken);
        }

        // Priority runs down and due time up, so no single range starts at the cursor: the rest of the cursor's
        // priority first, then (only when that runs out) the lower priorities.
        var page = await CaseListStatement.RowsAsync(db, filters, amongNothingDue ? CaseListRange.PriorityRestAfterNothingDue : CaseListRange.PriorityRestAfter, args, cancellationToken);
        if (page.Count < args.Take)
        {
            args.Take -= page.Count;
            page.AddRange(await CaseListStatement.RowsAsync(db, filters, CaseListRange.LowerPriorities, args, cancellationToken));
        }

        return page;
    }

    private static List<T>? ParseList<T>(string? text, string field, FieldErrors errors, bool open = false)
        where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var values = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (open && part.Equals("open", StringComparison.OrdinalIgnoreCase))
            {
                values.AddRange(CaseLifecycle.OpenStatuses.Cast<T>());
            }
            else if (Names.TryParse<T>(part, out var value))
            {
                values.Add(value);
            }
            else
            {
                errors.Add(field, $"'{part}' is not a {field}; use {Names.List<T>()}{(open ? " or open" : "")}.");
            }
        }

        return [.. values.Distinct()];
    }

    private sealed record Cursor(CasePriority Priority, DateTimeOffset Due, Guid Id)
    {
        public static string Encode(CaseListRow c, bool byPriority) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
            byPriority ? $"p|{(int)c.Priority}|{c.DueSort.UtcTicks}|{c.Id}" : $"d|{c.DueSort.UtcTicks}|{c.Id}"));

        public static Cursor? Decode(string text, bool byPriority)
        {
            try
            {
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(text)).Split('|');
                return (byPriority, parts) switch
                {
                    (false, ["d", var due, var id]) => new Cursor(default, Ticks(due), Guid.Parse(id)),
                    (true, ["p", var p, var due, var id]) when Enum.IsDefined((CasePriority)int.Parse(p, CultureInfo.InvariantCulture)) =>
                        new Cursor((CasePriority)int.Parse(p, CultureInfo.InvariantCulture), Ticks(due), Guid.Parse(id)),
                    _ => null,
                };
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
            {
                return null;
            }
        }

        private static DateTimeOffset Ticks(string text) => new(long.Parse(text, CultureInfo.InvariantCulture), TimeSpan.Zero);
    }
}
