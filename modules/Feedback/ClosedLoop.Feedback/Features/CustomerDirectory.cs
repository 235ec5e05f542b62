using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>The module's read-only contract for modules that write to customers (Communication).</summary>
internal sealed class CustomerDirectory(FeedbackDbContext db) : ICustomerDirectory
{
    /// <summary>Ids per statement: well under every provider's parameter limit.</summary>
    private const int Chunk = 1_000;

    public async Task<CustomerContact?> FindAsync(Guid customerId, CancellationToken cancellationToken = default)
    {
        var found = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, cancellationToken);
        return found is null ? null : Contact(found);
    }

    public async Task<IReadOnlyList<CustomerContact>> FindManyAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken cancellationToken = default)
    {
        var result = new List<CustomerContact>(customerIds.Count);
        foreach (var chunk in customerIds.Distinct().Chunk(Chunk))
        {
            var found = await db.Customers.AsNoTracking().Where(c => chunk.Contains(c.Id)).ToListAsync(cancellationToken);
            result.AddRange(found.Select(Contact));
        }

        return result;
    }

    public async Task<FeedbackSummary?> FindFeedbackAsync(Guid feedbackId, CancellationToken cancellationToken = default)
    {
        var item = await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == feedbackId, cancellationToken);
        if (item is null)
        {
            return null;
        }

        var topics = await db.ItemTopics.AsNoTracking().Where(t => t.ItemId == feedbackId).Select(t => t.Topic).ToListAsync(cancellationToken);
        topics.Sort(StringComparer.Ordinal);
        return new FeedbackSummary(item.Id, item.CustomerId, item.Source, item.Channel, item.SubmittedAt, item.Score, item.Category, item.ErasedAt is null ? item.Comment : null, topics);
    }

    public async Task<IReadOnlyList<CustomerContact>> CustomersWithFeedbackOnAsync(
        IReadOnlyCollection<string> topics,
        DateTimeOffset from,
        DateTimeOffset to,
        string? afterExternalId,
        int limit,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var normalized = topics.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct().ToList();
        if (normalized.Count == 0)
        {
            return [];
        }

        // Customers in external-id order with an EXISTS per customer: each page is a seek on the customers' unique
        // index and a probe of (topic, item) then (customer, submitted), never a sort of every matching item.
        var after = afterExternalId ?? "";
        var page = await db.Customers.AsNoTracking()
            .Where(c => c.ErasedAt == null && string.Compare(c.ExternalId, after) > 0)
            .Where(c => db.Items.Any(i => i.CustomerId == c.Id && i.SubmittedAt >= from && i.SubmittedAt < to && i.ErasedAt == null
                && db.ItemTopics.Any(t => t.ItemId == i.Id && normalized.Contains(t.Topic))))
            .OrderBy(c => c.ExternalId)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return page.ConvertAll(Contact);
    }

    private static CustomerContact Contact(Customer c) => c.ErasedAt is null
        ? new CustomerContact(c.Id, c.ExternalId, c.Email, c.Name, c.Language, c.Region, c.Segment, Erased: false)
        : new CustomerContact(c.Id, c.ExternalId, null, null, null, null, null, Erased: true);
}
