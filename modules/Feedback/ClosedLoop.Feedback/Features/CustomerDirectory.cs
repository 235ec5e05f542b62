using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>
/// The Feedback module's answer to <see cref="ICustomerDirectory"/>: read-only and untracked, so a caller in another
/// module never holds this module's entities. An erased customer is reported with nothing but ids (the columns are
/// already cleared; <see cref="CustomerContact.Erased"/> says why).
/// </summary>
internal sealed class CustomerDirectory(FeedbackDbContext db) : ICustomerDirectory
{
    /// <summary>
    /// Ids per statement in <see cref="FindManyAsync"/>: one array parameter on PostgreSQL, but one parameter each on
    /// SQLite, whose statements are limited in parameters.
    /// </summary>
    private const int IdsPerQuery = 500;

    public async Task<CustomerContact?> FindAsync(Guid customerId, CancellationToken cancellationToken = default)
    {
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, cancellationToken);
        return customer is null ? null : ToContact(customer);
    }

    public async Task<IReadOnlyList<CustomerContact>> FindManyAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        var found = new List<CustomerContact>(customerIds.Count);
        foreach (var chunk in customerIds.Distinct().Chunk(IdsPerQuery))
        {
            var rows = await db.Customers.AsNoTracking().Where(c => chunk.Contains(c.Id)).ToListAsync(cancellationToken);
            found.AddRange(rows.Select(ToContact));
        }

        return found;
    }

    public async Task<FeedbackSummary?> FindFeedbackAsync(Guid feedbackId, CancellationToken cancellationToken = default)
    {
        var item = await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == feedbackId, cancellationToken);
        if (item is null)
        {
            return null;
        }

        var topics = await db.ItemTopics.AsNoTracking().Where(t => t.ItemId == feedbackId).Select(t => t.Topic).ToListAsync(cancellationToken);
        return new FeedbackSummary(
            item.Id, item.CustomerId, item.Source, item.Channel, item.SubmittedAt, item.Score, item.Category, item.Comment,
            [.. topics.Order(StringComparer.Ordinal)]);
    }

    public async Task<IReadOnlyList<CustomerContact>> CustomersWithFeedbackOnAsync(
        IReadOnlyCollection<string> topics,
        DateTimeOffset from,
        DateTimeOffset to,
        string? afterExternalId,
        int limit,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // Topics are stored lower-case (the tagger normalises them), as the feedback list's topic filter assumes.
        var wanted = topics.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            return [];
        }

        // Walked by the unique external-id index; each customer's feedback is probed through (CustomerId, SubmittedAt).
        var customers = db.Customers.AsNoTracking().Where(c => c.ErasedAt == null);
        if (afterExternalId is not null)
        {
            customers = customers.Where(c => string.Compare(c.ExternalId, afterExternalId) > 0);
        }

        var rows = await customers
            .Where(c => db.Items.Any(i => i.CustomerId == c.Id && i.SubmittedAt >= from && i.SubmittedAt < to
                && db.ItemTopics.Any(t => t.ItemId == i.Id && wanted.Contains(t.Topic))))
            .OrderBy(c => c.ExternalId)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return rows.Select(ToContact).ToList();
    }

    private static CustomerContact ToContact(Customer c) => c.ErasedAt is null
        ? new CustomerContact(c.Id, c.ExternalId, c.Email, c.Name, c.Language, c.Region, c.Segment, Erased: false)
        : new CustomerContact(c.Id, c.ExternalId, null, null, null, null, null, Erased: true);
}
