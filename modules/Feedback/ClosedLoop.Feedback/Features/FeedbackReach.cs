using System.Security.Claims;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.SharedKernel;

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
    /// parameters) whatever the reader's memberships.
    /// </summary>
    private IQueryable<CustomerCase> Seen(FeedbackDbContext db)
    {
        var (frontline, management, executive) = (Frontline, Management, Executive);
        return db.CustomerCases.Where(c =>
            (c.Level == EscalationLevel.Frontline && frontline.Contains(c.Team!))
            || (c.Level == EscalationLevel.Management && management.Contains(c.Team!))
            || (c.Level == EscalationLevel.Executive && executive.Contains(c.Team!)));
    }
}
