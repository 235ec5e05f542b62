using System.Security.Claims;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>
/// Which customers, and so which feedback, a reader may see. Admins (and analysts, for feedback) see all of it; an
/// agent sees a customer when it may see at least one of that customer's cases, by the case rule (a member of the
/// case's team at the case's level or higher; members of every team see all). Everything else is absent: 404 for a
/// single read, left out of lists. Decided on this module's own copy of who sees which case (<see cref="CustomerCase"/>).
/// </summary>
/// <param name="All">No restriction.</param>
/// <param name="Frontline">Teams in which the reader sees frontline cases (every team it is in).</param>
/// <param name="Management">Teams in which it sees management cases.</param>
/// <param name="Executive">Teams in which it sees executive cases.</param>
internal sealed record FeedbackReach(bool All, string[] Frontline, string[] Management, string[] Executive)
{
    /// <summary>
    /// Up to this many customers in reach, a list reads their feedback by customer (the customer index) and sorts it;
    /// beyond, it walks all feedback newest first and keeps what is in reach (see <see cref="FilterListAsync"/>).
    /// </summary>
    public const int FewCustomers = 2_000;

    private static readonly FeedbackReach Everything = new(true, [], [], []);

    /// <summary>Sees no customer at all: an agent in no team.</summary>
    public bool Nothing => !All && Frontline.Length == 0;

    /// <summary>The reach of <paramref name="user"/>; analysts see everything when <paramref name="analystsSeeAll"/>.</summary>
    public static async Task<FeedbackReach> OfAsync(ClaimsPrincipal user, ICaseAccess access, bool analystsSeeAll, CancellationToken cancellationToken)
    {
        if (user.IsInRole(Roles.Admin) || (analystsSeeAll && user.IsInRole(Roles.Analyst)))
        {
            return Everything;
        }

        var scope = await access.ScopeOfAsync(user, cancellationToken);
        return scope.AllTeams
            ? Everything
            : new FeedbackReach(
                false,
                [.. scope.TeamsSeeing(EscalationLevel.Frontline)],
                [.. scope.TeamsSeeing(EscalationLevel.Management)],
                [.. scope.TeamsSeeing(EscalationLevel.Executive)]);
    }

    /// <summary><paramref name="items"/> of the customers in reach.</summary>
    public IQueryable<FeedbackItem> Filter(IQueryable<FeedbackItem> items, FeedbackDbContext db)
    {
        if (All)
        {
            return items;
        }

        var seen = Seen(db);
        return items.Where(i => seen.Any(c => c.CustomerId == i.CustomerId));
    }

    /// <summary>
    /// <paramref name="items"/> of the customers in reach, for a list over all customers, newest first. Walking the
    /// newest feedback and checking each item's customer (<see cref="Filter(IQueryable{FeedbackItem}, FeedbackDbContext)"/>)
    /// reads about pageSize ÷ (share of feedback in reach) items: quick for an agent whose teams hold many customers,
    /// but nearly the whole table for one whose teams hold a handful. So the customers in reach are counted first (one
    /// index range, at most <see cref="FewCustomers"/> + 1 rows): when they are few, their feedback is read by customer.
    /// </summary>
    public async Task<IQueryable<FeedbackItem>> FilterListAsync(IQueryable<FeedbackItem> items, FeedbackDbContext db, CancellationToken cancellationToken)
    {
        if (All)
        {
            return items;
        }

        var customers = await Seen(db).Select(c => c.CustomerId).Take(FewCustomers + 1).ToListAsync(cancellationToken);
        if (customers.Count > FewCustomers)
        {
            return Filter(items, db);
        }

        var few = customers.Distinct().ToList();
        return items.Where(i => few.Contains(i.CustomerId));
    }

    /// <summary><paramref name="customers"/> in reach.</summary>
    public IQueryable<Customer> Filter(IQueryable<Customer> customers, FeedbackDbContext db)
    {
        if (All)
        {
            return customers;
        }

        var seen = Seen(db);
        return customers.Where(customer => seen.Any(c => c.CustomerId == customer.Id));
    }

    /// <summary>
    /// The cases in reach. Three lists of team keys, one per level, so the statement has the same shape (three array
    /// parameters) whatever the reader's memberships. Every team in reach is in <see cref="Frontline"/> (and the
    /// management teams are among them, the executive ones among those), so the condition leads with one team list
    /// that an index on the team can seek.
    /// </summary>
    private IQueryable<CustomerCase> Seen(FeedbackDbContext db)
    {
        var (frontline, management, executive) = (Frontline, Management, Executive);
        return db.CustomerCases.Where(c => frontline.Contains(c.Team!)
            && (c.Level == EscalationLevel.Frontline
                || (management.Contains(c.Team!) && (c.Level == EscalationLevel.Management || executive.Contains(c.Team!)))));
    }
}
