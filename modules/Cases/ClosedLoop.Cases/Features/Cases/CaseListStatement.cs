using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>What a list's statement filters on; each set flag has its value in <see cref="CaseListArgs"/>.</summary>
[Flags]
internal enum CaseListFilters
{
    None = 0,
    Status = 1 << 0,
    Statuses = 1 << 1,
    Priority = 1 << 2,
    Priorities = 1 << 3,
    Level = 1 << 4,
    Levels = 1 << 5,
    Team = 1 << 6,
    Assignee = 1 << 7,
    Unassigned = 1 << 8,
    Overdue = 1 << 9,
    NotOverdue = 1 << 10,
    Customer = 1 << 11,
    Topic = 1 << 12,

    /// <summary>Only the cases of <see cref="CaseListArgs.ViewerId"/>'s teams, at their level there and below.</summary>
    Visible = 1 << 13,
}

/// <summary>Where a list's statement starts and how it is ordered (see <see cref="CaseQueries"/>' paging).</summary>
internal enum CaseListRange
{
    /// <summary>From the start, by due time.</summary>
    ByDue,

    /// <summary>From the start, by priority then due time.</summary>
    ByPriority,

    /// <summary>After the cursor, by due time.</summary>
    ByDueAfter,

    /// <summary>After a cursor among the cases with nothing due (they all share one due time), by due time.</summary>
    ByDueAfterNothingDue,

    /// <summary>The rest of the cursor's priority after the cursor, by due time.</summary>
    PriorityRestAfter,

    /// <summary>The rest of the cursor's priority, after a cursor among the cases with nothing due.</summary>
    PriorityRestAfterNothingDue,

    /// <summary>The priorities below the cursor's, by priority then due time.</summary>
    LowerPriorities,
}

/// <summary>The values of one list statement; only those its <see cref="CaseListFilters"/> name are read.</summary>
internal sealed class CaseListArgs
{
    public CaseStatus Status { get; set; }

    public List<CaseStatus> Statuses { get; set; } = [];

    public CasePriority Priority { get; set; }

    public List<CasePriority> Priorities { get; set; } = [];

    public EscalationLevel Level { get; set; }

    public List<EscalationLevel> Levels { get; set; } = [];

    public Guid TeamId { get; set; }

    public string Assignee { get; set; } = "";

    public DateTimeOffset Now { get; set; }

    public Guid Customer { get; set; }

    public string Topic { get; set; } = "";

    public string ViewerId { get; set; } = "";

    public CasePriority CursorPriority { get; set; }

    public DateTimeOffset CursorDue { get; set; }

    public Guid CursorId { get; set; }

    public int Take { get; set; }
}

/// <summary>
/// A case list's statement, compiled by EF once per combination of filters and range (<c>EF.CompileAsyncQuery</c>)
/// instead of once per call: a list call then skips EF's per-query work of walking, hashing and comparing the LINQ
/// tree (bench/README.md, Cases). The statements are those the LINQ would give; each value is a parameter.
/// </summary>
internal static class CaseListStatement
{
    // A compiled query runs only against the model it was compiled for: one set per model (one in a host; tests
    // run many hosts in one process). A model no longer in use takes its set with it.
    private static readonly ConditionalWeakTable<IModel, Statements> ByModel = new();

    private static readonly MethodInfo[] CompileAsyncQueries = [.. typeof(EF).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name == nameof(EF.CompileAsyncQuery) && ReturnsEnumerable(m))];

    /// <summary>The rows of one statement, at most <see cref="CaseListArgs.Take"/>.</summary>
    public static ValueTask<List<CaseListRow>> RowsAsync(CasesDbContext db, CaseListFilters filters, CaseListRange range, CaseListArgs args, CancellationToken cancellationToken)
    {
        var query = Of(db).Lists.GetOrAdd((filters, range), static key => Compile(key.Item1, key.Item2));
        return query(db, args).ToListAsync(cancellationToken);
    }

    private static Statements Of(CasesDbContext db) => ByModel.GetValue(db.Model, static _ => new Statements());

    private static Func<CasesDbContext, CaseListArgs, IAsyncEnumerable<CaseListRow>> Compile(CaseListFilters filters, CaseListRange range)
    {
        var builder = new Builder();
        var cases = builder.Build(filters, range);
        return builder.Compile(cases);
    }

    private static bool ReturnsEnumerable(MethodInfo method) =>
        method.ReturnType.IsGenericType
        && method.ReturnType.GetGenericArguments()[^1] is { IsGenericType: true } result
        && result.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)
        && method.GetParameters() is [var expression]
        && expression.ParameterType.GetGenericArguments()[0].GetGenericArguments()[^1] is { IsGenericType: true } source
        && source.GetGenericTypeDefinition() == typeof(IQueryable<>);

    // Each step is a lambda over the query so far and the values it needs; building a statement inlines them, the
    // values becoming parameters of the compiled query (named after the CaseListArgs property they come from).
    private static readonly Expression<Func<IQueryable<Case>, CaseStatus, IQueryable<Case>>> StatusIs = (q, status) => q.Where(c => c.Status == status);
    private static readonly Expression<Func<IQueryable<Case>, List<CaseStatus>, IQueryable<Case>>> StatusIn = (q, statuses) => q.Where(c => statuses.Contains(c.Status));
    private static readonly Expression<Func<IQueryable<Case>, CasePriority, IQueryable<Case>>> PriorityIs = (q, priority) => q.Where(c => c.Priority == priority);
    private static readonly Expression<Func<IQueryable<Case>, List<CasePriority>, IQueryable<Case>>> PriorityIn = (q, priorities) => q.Where(c => priorities.Contains(c.Priority));
    private static readonly Expression<Func<IQueryable<Case>, EscalationLevel, IQueryable<Case>>> LevelIs = (q, level) => q.Where(c => c.Level == level);
    private static readonly Expression<Func<IQueryable<Case>, List<EscalationLevel>, IQueryable<Case>>> LevelIn = (q, levels) => q.Where(c => levels.Contains(c.Level));

    // The id, not the key: a case keeps its team's id (TeamKey is only shown), and (TeamId, DueSort, Id) is the index.
    private static readonly Expression<Func<IQueryable<Case>, Guid, IQueryable<Case>>> TeamIs = (q, teamId) => q.Where(c => c.TeamId == teamId);

    private static readonly Expression<Func<IQueryable<Case>, string, IQueryable<Case>>> AssigneeIs = (q, assignee) => q.Where(c => c.AssigneeId == assignee);
    private static readonly Expression<Func<IQueryable<Case>, IQueryable<Case>>> NoAssignee = q => q.Where(c => c.AssigneeId == null);
    private static readonly Expression<Func<IQueryable<Case>, DateTimeOffset, IQueryable<Case>>> DueBefore = (q, now) => q.Where(c => c.DueSort < now);
    private static readonly Expression<Func<IQueryable<Case>, DateTimeOffset, IQueryable<Case>>> DueFrom = (q, now) => q.Where(c => c.DueSort >= now);
    private static readonly Expression<Func<IQueryable<Case>, Guid, IQueryable<Case>>> CustomerIs = (q, customer) => q.Where(c => c.CustomerId == customer);
    private static readonly Expression<Func<IQueryable<Case>, CasesDbContext, string, IQueryable<Case>>> HasTopic =
        (q, db, topic) => q.Where(c => db.Topics.Any(t => t.CaseId == c.Id && t.Topic == topic));

    // The rule of CaseViewer.CanSee: an agent sees their teams' cases at their level in that team and below. As a
    // subquery on the memberships, one value (the agent) instead of a list of teams per level.
    private static readonly Expression<Func<IQueryable<Case>, CasesDbContext, string, IQueryable<Case>>> VisibleTo =
        (q, db, viewerId) => q.Where(c => db.Members.Any(m => m.UserId == viewerId && m.TeamId == c.TeamId && m.Level >= c.Level));

    private static readonly Expression<Func<IQueryable<Case>, CasePriority, IQueryable<Case>>> PriorityOfCursor = (q, cursorPriority) => q.Where(c => c.Priority == cursorPriority);
    private static readonly Expression<Func<IQueryable<Case>, CasePriority, IQueryable<Case>>> BelowPriorityOfCursor = (q, cursorPriority) => q.Where(c => c.Priority < cursorPriority);

    // After the cursor in (due time, id) order, written so that the database seeks to the cursor: "greater, or equal
    // and a greater id" alone makes it read the index from its start. The leading DueSort >= due starts the range at
    // the due time; within the one due time most cases share (Case.NothingDue: closed, resolved, paused) the range
    // starts at the id instead, as nothing sorts after it.
    private static readonly Expression<Func<IQueryable<Case>, DateTimeOffset, Guid, IQueryable<Case>>> After =
        (q, cursorDue, cursorId) => q.Where(c => c.DueSort >= cursorDue && (c.DueSort > cursorDue || c.Id.CompareTo(cursorId) > 0));

    private static readonly Expression<Func<IQueryable<Case>, DateTimeOffset, Guid, IQueryable<Case>>> AfterAmongNothingDue =
        (q, cursorDue, cursorId) => q.Where(c => c.DueSort == cursorDue && c.Id.CompareTo(cursorId) > 0);

    private static readonly Expression<Func<IQueryable<Case>, IQueryable<Case>>> ByDue = q => q.OrderBy(c => c.DueSort).ThenBy(c => c.Id);
    private static readonly Expression<Func<IQueryable<Case>, IQueryable<Case>>> ByPriority = q => q.OrderByDescending(c => c.Priority).ThenBy(c => c.DueSort).ThenBy(c => c.Id);
    private static readonly Expression<Func<IQueryable<Case>, int, IQueryable<Case>>> TakeRows = (q, take) => q.Take(take);

    /// <summary>Builds one statement's lambda: the context and the CaseListArgs values it uses, in order of first use.</summary>
    private sealed class Builder
    {
        private readonly ParameterExpression _db = Expression.Parameter(typeof(CasesDbContext), "db");
        private readonly List<ParameterExpression> _values = [];

        public Expression Build(CaseListFilters filters, CaseListRange range)
        {
            Expression q = Expression.Property(_db, nameof(CasesDbContext.Cases));
            q = When(filters, CaseListFilters.Visible, q, VisibleTo);
            q = When(filters, CaseListFilters.Status, q, StatusIs);
            q = When(filters, CaseListFilters.Statuses, q, StatusIn);
            q = When(filters, CaseListFilters.Team, q, TeamIs);
            q = When(filters, CaseListFilters.Assignee, q, AssigneeIs);
            q = When(filters, CaseListFilters.Unassigned, q, NoAssignee);
            q = When(filters, CaseListFilters.Priority, q, PriorityIs);
            q = When(filters, CaseListFilters.Priorities, q, PriorityIn);
            q = When(filters, CaseListFilters.Level, q, LevelIs);
            q = When(filters, CaseListFilters.Levels, q, LevelIn);
            q = When(filters, CaseListFilters.Overdue, q, DueBefore);
            q = When(filters, CaseListFilters.NotOverdue, q, DueFrom);
            q = When(filters, CaseListFilters.Customer, q, CustomerIs);
            q = When(filters, CaseListFilters.Topic, q, HasTopic);
            q = range switch
            {
                CaseListRange.ByDue => Apply(ByDue, q),
                CaseListRange.ByPriority => Apply(ByPriority, q),
                CaseListRange.ByDueAfter => Apply(ByDue, Apply(After, q)),
                CaseListRange.ByDueAfterNothingDue => Apply(ByDue, Apply(AfterAmongNothingDue, q)),
                CaseListRange.PriorityRestAfter => Apply(ByDue, Apply(After, Apply(PriorityOfCursor, q))),
                CaseListRange.PriorityRestAfterNothingDue => Apply(ByDue, Apply(AfterAmongNothingDue, Apply(PriorityOfCursor, q))),
                CaseListRange.LowerPriorities => Apply(ByPriority, Apply(BelowPriorityOfCursor, q)),
                _ => throw new ArgumentOutOfRangeException(nameof(range), range, null),
            };
            return Apply(CaseListRow.Select, Apply(TakeRows, q));
        }

        /// <summary>
        /// The compiled query, called with the values taken from a <see cref="CaseListArgs"/>: EF.CompileAsyncQuery
        /// takes plain parameters, one generic overload per count, so both are chosen here once.
        /// </summary>
        public Func<CasesDbContext, CaseListArgs, IAsyncEnumerable<CaseListRow>> Compile(Expression body)
        {
            ParameterExpression[] parameters = [_db, .. _values];
            var lambdaType = Expression.GetFuncType([.. parameters.Select(p => p.Type), typeof(IQueryable<CaseListRow>)]);
            var lambda = Expression.Lambda(lambdaType, body, parameters);
            var compile = CompileAsyncQueries.Single(m => m.GetGenericArguments().Length == parameters.Length + 1)
                .MakeGenericMethod([.. parameters.Select(p => p.Type), typeof(CaseListRow)]);
            var query = (Delegate)compile.Invoke(null, [lambda])!;

            var db = Expression.Parameter(typeof(CasesDbContext), "db");
            var args = Expression.Parameter(typeof(CaseListArgs), "args");
            var call = Expression.Invoke(Expression.Constant(query), [db, .. _values.Select(v => Expression.Property(args, v.Name!))]);
            return Expression.Lambda<Func<CasesDbContext, CaseListArgs, IAsyncEnumerable<CaseListRow>>>(call, db, args).Compile();
        }

        private Expression When(CaseListFilters filters, CaseListFilters filter, Expression q, LambdaExpression step) =>
            filters.HasFlag(filter) ? Apply(step, q) : q;

        /// <summary>Inlines <paramref name="step"/> on <paramref name="q"/>: its first parameter is the query so far, a
        /// context parameter is the statement's context, and every other is the CaseListArgs value of its name.</summary>
        private Expression Apply(LambdaExpression step, Expression q)
        {
            var map = new Dictionary<ParameterExpression, Expression> { [step.Parameters[0]] = q };
            foreach (var parameter in step.Parameters.Skip(1))
            {
                map[parameter] = parameter.Type == typeof(CasesDbContext) ? _db : Value(parameter);
            }

            return new Inliner(map).Visit(step.Body);
        }

        private ParameterExpression Value(ParameterExpression parameter)
        {
            var name = char.ToUpperInvariant(parameter.Name![0]) + parameter.Name[1..];
            var property = typeof(CaseListArgs).GetProperty(name)
                ?? throw new InvalidOperationException($"CaseListArgs has no {name} for the list step parameter '{parameter.Name}'.");
            if (property.PropertyType != parameter.Type)
            {
                throw new InvalidOperationException($"CaseListArgs.{name} is a {property.PropertyType.Name}, the list step's '{parameter.Name}' a {parameter.Type.Name}.");
            }

            var existing = _values.FirstOrDefault(v => v.Name == name);
            if (existing is null)
            {
                existing = Expression.Parameter(parameter.Type, name);
                _values.Add(existing);
            }

            return existing;
        }
    }

    /// <summary>The compiled statements of one model.</summary>
    private sealed class Statements
    {
        public ConcurrentDictionary<(CaseListFilters, CaseListRange), Func<CasesDbContext, CaseListArgs, IAsyncEnumerable<CaseListRow>>> Lists { get; } = new();
    }

    private sealed class Inliner(Dictionary<ParameterExpression, Expression> map) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => map.TryGetValue(node, out var value) ? value : node;
    }
}
