using System.Security.Claims;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Feedback.Routing;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>A customer as the latest feedback describes them, with their most recent feedback.</summary>
internal sealed record CustomerResponse(
    Guid Id,
    string ExternalId,
    string? Email,
    string? Name,
    string? Region,
    string? Segment,
    string? Language,
    decimal? AccountValue,
    DateTimeOffset FirstSeenAt,
    int FeedbackCount,
    int? LastScore,
    DateTimeOffset? LastFeedbackAt,
    DateTimeOffset? ErasedAt,
    IReadOnlyList<FeedbackResponse> RecentFeedback);

/// <summary>The attributes a customer had from <c>validFrom</c> on.</summary>
internal sealed record CustomerVersionResponse(DateTimeOffset ValidFrom, DateTimeOffset RecordedAt, Guid? FeedbackId, string? Email, string? Name, string? Region, string? Segment, string? Language, decimal? AccountValue);

/// <summary>Everything ClosedLoop's Feedback module holds about one customer.</summary>
internal sealed record CustomerExport(DateTimeOffset ExportedAt, CustomerResponse Customer, IReadOnlyList<CustomerVersionResponse> History, IReadOnlyList<FeedbackResponse> Feedback);

internal static class Customers
{
    private const int RecentCount = 50;

    /// <summary>A customer with their 50 most recent pieces of feedback (all of it through GET /api/v1/feedback?customerId=).</summary>
    /// <remarks>
    /// Admins read any customer. An agent reads a customer only while it may see at least one of that customer's
    /// cases (a member of the case's team at the case's escalation level or higher); any other customer answers 404,
    /// as if it did not exist. A case just opened, moved or escalated counts here a moment later.
    /// </remarks>
    /// <param name="id">The customer id.</param>
    /// <param name="user">The caller.</param>
    /// <param name="access">Who sees which cases.</param>
    /// <param name="db">The Feedback database.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<CustomerResponse>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, ICaseAccess access, FeedbackDbContext db, CancellationToken cancellationToken)
    {
        var reach = await FeedbackReach.OfAsync(user, access, analystsSeeAll: false, cancellationToken);
        var customer = reach.Nothing ? null : await reach.Filter(db.Customers.AsNoTracking(), db).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (customer is null)
        {
            return Problems.NotFound("customer", id);
        }

        var recent = await FeedbackOf(db, customer, RecentCount, cancellationToken);
        return TypedResults.Ok(ToResponse(customer, recent));
    }

    /// <summary>Exports everything held about a customer, as JSON (right of access).</summary>
    /// <param name="id">The customer id.</param>
    /// <param name="db">The Feedback database.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<CustomerExport>, ProblemHttpResult>> Export(Guid id, FeedbackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (customer is null)
        {
            return Problems.NotFound("customer", id);
        }

        var feedback = await FeedbackOf(db, customer, int.MaxValue, cancellationToken);
        var history = await db.CustomerVersions.AsNoTracking().Where(v => v.CustomerId == id).OrderBy(v => v.ValidFrom)
            .Select(v => new CustomerVersionResponse(v.ValidFrom, v.RecordedAt, v.FeedbackId, v.Email, v.Name, v.Region, v.Segment, v.Language, v.AccountValue))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new CustomerExport(time.GetUtcNow(), ToResponse(customer, feedback.Take(RecentCount).ToList()), history, feedback));
    }

    /// <summary>Erases a customer's personal data (right to erasure).</summary>
    /// <remarks>
    /// Removes name, e-mail, account value, the attribute history, every comment and every item's
    /// attributes; replaces the customer's external id. Scores, categories, channels and times stay, so
    /// NPS and other aggregates do not change. The content hashes go as well: a re-sent item with the same source and
    /// externalId (or Idempotency-Key) answers 200 duplicate whatever its content, so a guess of what was erased can be
    /// neither confirmed nor refuted, and the erased item is never stored again. Other modules are told
    /// (CustomerErased) and erase what they hold. Erasing twice is harmless.
    /// </remarks>
    /// <param name="id">The customer id.</param>
    /// <param name="db">The Feedback database.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<NoContent, ProblemHttpResult>> Erase(Guid id, FeedbackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (customer is null)
        {
            return Problems.NotFound("customer", id);
        }

        if (customer.ErasedAt is not null)
        {
            return TypedResults.NoContent();
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        customer.ExternalId = $"erased:{customer.Id:N}";
        (customer.Email, customer.Name, customer.AccountValue) = (null, null, null);
        customer.ErasedAt = now;
        customer.Version++;
        db.Publish(new CustomerErasedIntegrationEvent(customer.Id));
        await db.SaveChangesAsync(cancellationToken);
        await db.CustomerVersions.Where(v => v.CustomerId == id).ExecuteDeleteAsync(cancellationToken);
        await db.Items.Where(i => i.CustomerId == id).ExecuteUpdateAsync(
            s => s.SetProperty(i => i.Comment, (string?)null).SetProperty(i => i.Attributes, (string?)null).SetProperty(i => i.ErasedAt, now)
                .SetProperty(i => i.ContentHash, FeedbackItem.ErasedContentHash),
            cancellationToken);

        // The hashes of what was sent would confirm a guess of it (same content: duplicate; other: conflict): gone too.
        await db.IdempotencyKeys.Where(k => db.Items.Any(i => i.CustomerId == id && i.Id == k.FeedbackId)).ExecuteUpdateAsync(
            s => s.SetProperty(k => k.RequestHash, FeedbackItem.ErasedContentHash), cancellationToken);

        // The decision stays (an aggregate); what rules' messages and actions echoed of the comment goes.
        var explained = await db.Items.Where(i => i.CustomerId == id && i.Routing != null).Select(i => new { i.Id, i.Routing }).ToListAsync(cancellationToken);
        foreach (var item in explained)
        {
            var redacted = RoutingExplanation.Redact(item.Routing!);
            await db.Items.Where(i => i.Id == item.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Routing, redacted), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<List<FeedbackResponse>> FeedbackOf(FeedbackDbContext db, Customer customer, int take, CancellationToken cancellationToken)
    {
        var rows = await db.Items.AsNoTracking().Where(i => i.CustomerId == customer.Id)
            .OrderByDescending(i => i.SubmittedAt).ThenByDescending(i => i.Id).Take(take)
            .ToListAsync(cancellationToken);
        var topics = await QueryFeedback.TopicsAsync(db, [.. rows.Select(i => i.Id)], cancellationToken);
        return rows.Select(i => QueryFeedback.ToResponse(new QueryFeedback.Row(i, customer), topics)).ToList();
    }

    private static CustomerResponse ToResponse(Customer c, IReadOnlyList<FeedbackResponse> recent) => new(
        c.Id, c.ExternalId, c.Email, c.Name, c.Region, c.Segment, c.Language, c.AccountValue, c.FirstSeenAt,
        c.FeedbackCount, c.LastScore, c.LastFeedbackAt, c.ErasedAt, recent);
}
