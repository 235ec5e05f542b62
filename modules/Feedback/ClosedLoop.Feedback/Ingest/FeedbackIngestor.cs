using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Web;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Ingest;

internal enum IngestStatus
{
    Created,
    Duplicate,
    Conflict,
    Rejected,
}

/// <summary>What happened to one item: its id when stored (or already stored), its field errors when rejected.</summary>
internal sealed record IngestOutcome(IngestStatus Status, Guid? FeedbackId, IDictionary<string, string[]>? Errors = null, string? Message = null)
{
    public static IngestOutcome Created(Guid id) => new(IngestStatus.Created, id);

    public static IngestOutcome Duplicate(Guid id) => new(IngestStatus.Duplicate, id, Message: "Already received with the same content; nothing was written.");

    public static IngestOutcome Conflict(Guid id) => new(IngestStatus.Conflict, id, Message: "This source and externalId were already received with different content; nothing was written.");

    public static IngestOutcome Rejected(IDictionary<string, string[]> errors) => new(IngestStatus.Rejected, null, errors, "One or more fields are invalid.");
}

/// <summary>
/// Stores feedback a chunk at a time: validates each item, finds repeats by (source, externalId), upserts
/// customers, writes the items and their FeedbackReceived events, all in one transaction. The single POST,
/// the batch endpoint and imports all come through here.
/// </summary>
internal sealed class FeedbackIngestor(FeedbackDbContext db, TimeProvider time)
{
    private const int Attempts = 10;

    /// <summary>
    /// Ingests <paramref name="items"/> in one transaction; <paramref name="alsoWrite"/> adds what must
    /// commit with them (an import's progress, an idempotency key). When a concurrent writer stores one of
    /// the same keys first, the chunk is staged again and sees it.
    /// </summary>
    public async Task<IReadOnlyList<IngestOutcome>> IngestAsync(
        IReadOnlyList<FeedbackInput> items,
        Guid? importId,
        Func<IReadOnlyList<IngestOutcome>, Task>? alsoWrite,
        CancellationToken cancellationToken,
        int attempts = Attempts)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var outcomes = await StageAsync(items, importId, cancellationToken);
            if (alsoWrite is not null)
            {
                await alsoWrite(outcomes);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                db.ChangeTracker.Clear();
                return outcomes;
            }
            catch (DbUpdateException) when (attempt < attempts)
            {
                // Another writer took a key or updated a customer first; back off a little (jittered, so
                // contenders spread out) and stage again against what it committed.
                await transaction.RollbackAsync(CancellationToken.None);
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken);
            }
        }
    }

    private async Task<IngestOutcome[]> StageAsync(IReadOnlyList<FeedbackInput> items, Guid? importId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var outcomes = new IngestOutcome[items.Count];
        var valid = new List<(int Index, ValidFeedback Item)>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var errors = new FieldErrors();
            var item = FeedbackValidator.Validate(items[i], now, errors);
            if (item is null)
            {
                outcomes[i] = IngestOutcome.Rejected(errors.ToDictionary());
            }
            else
            {
                valid.Add((i, item));
            }
        }

        if (valid.Count == 0)
        {
            return outcomes;
        }

        var seen = await ExistingAsync(valid, cancellationToken);
        var customers = await CustomersAsync(valid, cancellationToken);
        foreach (var (index, item) in valid)
        {
            var key = item.ExternalId is null ? default : (item.Source, item.ExternalId);
            if (item.ExternalId is not null && seen.TryGetValue(key, out var earlier))
            {
                outcomes[index] = earlier.Hash == item.ContentHash ? IngestOutcome.Duplicate(earlier.Id) : IngestOutcome.Conflict(earlier.Id);
                continue;
            }

            var feedbackId = Guid.CreateVersion7(now);
            var customer = Upsert(customers, item, feedbackId, now);
            db.Items.Add(new FeedbackItem
            {
                Id = feedbackId,
                Source = item.Source,
                ExternalId = item.ExternalId,
                Channel = item.Channel,
                SubmittedAt = item.SubmittedAt,
                ReceivedAt = now,
                Score = item.Score,
                Category = item.Category,
                Comment = item.Comment,
                CustomerId = customer.Id,
                Attributes = item.Attributes,
                ContentHash = item.ContentHash,
                ImportId = importId,
            });
            db.Publish(new FeedbackReceivedIntegrationEvent(
                feedbackId, customer.Id, item.Source, item.Channel, item.Score, item.Category, item.Comment is not null, item.SubmittedAt));
            if (item.ExternalId is not null)
            {
                seen[key] = (feedbackId, item.ContentHash);
            }

            outcomes[index] = IngestOutcome.Created(feedbackId);
        }

        return outcomes;
    }

    private async Task<Dictionary<(string Source, string ExternalId), (Guid Id, string Hash)>> ExistingAsync(
        List<(int Index, ValidFeedback Item)> valid, CancellationToken cancellationToken)
    {
        var externalIds = valid.Where(v => v.Item.ExternalId is not null).Select(v => v.Item.ExternalId!).Distinct().ToList();
        if (externalIds.Count == 0)
        {
            return [];
        }

        var sources = valid.Select(v => v.Item.Source).Distinct().ToList();
        var rows = await db.Items.AsNoTracking()
            .Where(i => externalIds.Contains(i.ExternalId!) && sources.Contains(i.Source))
            .Select(i => new { i.Source, i.ExternalId, i.Id, i.ContentHash })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => (r.Source, r.ExternalId!), r => (r.Id, r.ContentHash));
    }

    private async Task<Dictionary<string, Customer>> CustomersAsync(List<(int Index, ValidFeedback Item)> valid, CancellationToken cancellationToken)
    {
        var externalIds = valid.Select(v => v.Item.Customer.ExternalId).Distinct().ToList();
        return await db.Customers.Where(c => externalIds.Contains(c.ExternalId)).ToDictionaryAsync(c => c.ExternalId, StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>The latest submission's attributes win; every different set is kept as a version.</summary>
    private Customer Upsert(Dictionary<string, Customer> customers, ValidFeedback item, Guid feedbackId, DateTimeOffset now)
    {
        var given = item.Customer;
        if (!customers.TryGetValue(given.ExternalId, out var customer))
        {
            customer = new Customer
            {
                Id = Guid.CreateVersion7(now),
                ExternalId = given.ExternalId,
                FirstSeenAt = item.SubmittedAt,
                AttributesAsOf = DateTimeOffset.MinValue.ToUniversalTime(),
            };
            db.Customers.Add(customer);
            customers[given.ExternalId] = customer;
        }
        else
        {
            customer.Version++;
        }

        var merged = new ValidCustomer(
            given.ExternalId,
            given.Email ?? customer.Email,
            given.Name ?? customer.Name,
            given.Region ?? customer.Region,
            given.Segment ?? customer.Segment,
            given.Language ?? customer.Language,
            given.AccountValue ?? customer.AccountValue);
        var current = new ValidCustomer(customer.ExternalId, customer.Email, customer.Name, customer.Region, customer.Segment, customer.Language, customer.AccountValue);
        if (merged != current)
        {
            db.CustomerVersions.Add(new CustomerVersion
            {
                Id = Guid.CreateVersion7(now),
                CustomerId = customer.Id,
                ValidFrom = item.SubmittedAt,
                RecordedAt = now,
                FeedbackId = feedbackId,
                Email = merged.Email,
                Name = merged.Name,
                Region = merged.Region,
                Segment = merged.Segment,
                Language = merged.Language,
                AccountValue = merged.AccountValue,
            });
        }

        if (item.SubmittedAt >= customer.AttributesAsOf)
        {
            (customer.Email, customer.Name, customer.Region, customer.Segment, customer.Language, customer.AccountValue) =
                (merged.Email, merged.Name, merged.Region, merged.Segment, merged.Language, merged.AccountValue);
            customer.AttributesAsOf = item.SubmittedAt;
        }

        customer.FeedbackCount++;
        if (item.SubmittedAt < customer.FirstSeenAt)
        {
            customer.FirstSeenAt = item.SubmittedAt;
        }

        if (item.Score is not null && (customer.LastFeedbackAt is null || item.SubmittedAt >= customer.LastFeedbackAt))
        {
            customer.LastScore = item.Score;
        }

        if (customer.LastFeedbackAt is null || item.SubmittedAt > customer.LastFeedbackAt)
        {
            customer.LastFeedbackAt = item.SubmittedAt;
        }

        return customer;
    }
}
