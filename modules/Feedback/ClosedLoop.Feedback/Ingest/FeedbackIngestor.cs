using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Feedback.Routing;
using ClosedLoop.Persistence;
using ClosedLoop.Rules.Sentiment;
using ClosedLoop.SharedKernel;
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
/// A chunk checked before its transaction: rejections with their field errors, and the valid items with their
/// sentiment. Pure CPU work, so an import prepares the next chunk while the current one commits.
/// </summary>
internal sealed class PreparedChunk
{
    internal PreparedChunk(IngestOutcome?[] outcomes, List<(int Index, ValidFeedback Item, SentimentResult Sentiment)> valid)
    {
        Outcomes = outcomes;
        Valid = valid;
    }

    public int Count => Outcomes.Length;

    /// <summary>Rejections by position; null for the valid items.</summary>
    internal IngestOutcome?[] Outcomes { get; }

    internal List<(int Index, ValidFeedback Item, SentimentResult Sentiment)> Valid { get; }
}

/// <summary>
/// A chunk staged: each item's outcome, and the rows and events that store it, built against what the database
/// held of its keys and customers (and, when staged ahead, what the chunk before it stores). Writing it is then
/// only the writes; whether it may still be written is the caller's question (see <see cref="Basis"/>).
/// </summary>
internal sealed class StagedChunk
{
    internal StagedChunk(IngestOutcome[] outcomes, FeedbackIngestor.Rows rows, Dictionary<string, Customer> customers, Dictionary<(string Source, string ExternalId), (Guid Id, string Hash)> keys, StagedChunk? basis)
    {
        Outcomes = outcomes;
        Rows = rows;
        Customers = customers;
        Keys = keys;
        Basis = basis?.Identity;
    }

    public IReadOnlyList<IngestOutcome> Outcomes { get; }

    /// <summary>Names this staging, and nothing more.</summary>
    public object Identity { get; } = new();

    /// <summary>
    /// The <see cref="Identity"/> of the staging this one was staged on top of, before that one was stored: this one
    /// is right only if exactly that staging is what committed just before. Null when nothing was pending. Only the
    /// name is kept: chunks staged one on another must not keep every earlier chunk of the import alive.
    /// </summary>
    public object? Basis { get; }

    internal FeedbackIngestor.Rows Rows { get; }

    /// <summary>Every customer of the chunk as it is once the chunk is stored (never changed after staging).</summary>
    internal Dictionary<string, Customer> Customers { get; }

    /// <summary>Every key of the chunk, stored before or by it, with its item and content hash.</summary>
    internal Dictionary<(string Source, string ExternalId), (Guid Id, string Hash)> Keys { get; }
}

/// <summary>
/// Stores feedback a chunk at a time: validates each item, finds repeats by (source, externalId), upserts
/// customers, writes the items and their FeedbackReceived events, all in one transaction. The single POST,
/// the batch endpoint and imports all come through here.
/// </summary>
internal sealed class FeedbackIngestor(FeedbackDbContext db, FeedbackRouter router, TimeProvider time)
{
    /// <summary>Validates <paramref name="items"/> and scores their comments; touches no database (thread-safe).</summary>
    public static PreparedChunk Prepare(IReadOnlyList<FeedbackInput> items, DateTimeOffset now, FeedbackRouter router)
    {
        var outcomes = new IngestOutcome?[items.Count];
        var valid = new List<(int Index, ValidFeedback Item, SentimentResult Sentiment)>(items.Count);
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
                valid.Add((i, item, router.Sentiment(item.Comment)));
            }
        }

        return new PreparedChunk(outcomes, valid);
    }

    /// <inheritdoc cref="IngestAsync(PreparedChunk, Guid?, Func{IReadOnlyList{IngestOutcome}, Task}?, CancellationToken, int)"/>
    public Task<IReadOnlyList<IngestOutcome>> IngestAsync(
        IReadOnlyList<FeedbackInput> items,
        Guid? importId,
        Func<IReadOnlyList<IngestOutcome>, Task>? alsoWrite,
        CancellationToken cancellationToken,
        int attempts = Attempts) =>
        IngestAsync(Prepare(items, time.GetUtcNow(), router), importId, alsoWrite, cancellationToken, attempts);

    private const int Attempts = 10;

    /// <summary>From this many new items on, rows go in by COPY / prepared INSERT instead of the change tracker.</summary>
    private const int BulkFrom = 32;

    /// <summary>
    /// Ingests <paramref name="items"/> in one transaction; <paramref name="alsoWrite"/> adds what must
    /// commit with them (an import's progress, an idempotency key). When a concurrent writer stores one of
    /// the same keys first, the chunk is staged again and sees it.
    /// </summary>
    public async Task<IReadOnlyList<IngestOutcome>> IngestAsync(
        PreparedChunk items,
        Guid? importId,
        Func<IReadOnlyList<IngestOutcome>, Task>? alsoWrite,
        CancellationToken cancellationToken,
        int attempts = Attempts) =>
        (await StoreAsync(items, importId, ahead: null, onStaged: null, alsoWrite, cancellationToken, attempts)).Outcomes;

    /// <summary>
    /// Stores a chunk in one transaction: <paramref name="ahead"/>, staged by <see cref="StageAheadAsync"/>, is
    /// written as it is on the first attempt (the caller has checked that its basis is what committed last);
    /// without it, or on a retry, the chunk is staged inside the transaction. <paramref name="onStaged"/> hears
    /// of the first staging, so the next chunk can be staged on top of it while this one writes.
    /// </summary>
    /// <returns>The staging that committed.</returns>
    public async Task<StagedChunk> StoreAsync(
        PreparedChunk items,
        Guid? importId,
        StagedChunk? ahead,
        Action<StagedChunk>? onStaged,
        Func<IReadOnlyList<IngestOutcome>, Task>? alsoWrite,
        CancellationToken cancellationToken,
        int attempts = Attempts)
    {
        // A failure rolls the whole transaction back and the chunk is staged again, so EF's savepoint
        // around SaveChanges would only cost two round trips per ingest.
        db.Database.AutoSavepointsEnabled = false;

        // An import's chunks always go in bulk (whatever their size), so any of them can be staged ahead.
        var bulk = importId is not null || items.Valid.Count >= BulkFrom;
        if (ahead is null)
        {
            // Outside the transaction: a rule set saved a moment ago applies to this unit of work, on every replica.
            await router.RefreshAsync(cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                if (bulk && items.Valid.Count > 0)
                {
                    // Every statement below finds rows by key: index probes, whatever the statistics of a growing table say.
                    await KeyLookups.PreferIndexProbesAsync(db, cancellationToken);
                }

                var staged = attempt == 1 && ahead is not null
                    ? ahead
                    : await StageAsync(items, importId, await LookupAsync(db, items.Valid, tracked: !bulk, locked: true, cancellationToken), bulk, basis: null, cancellationToken);
                if (onStaged is not null)
                {
                    onStaged(staged);
                    onStaged = null;
                }

                await WriteAsync(staged.Rows, cancellationToken);
                if (alsoWrite is not null)
                {
                    await alsoWrite(staged.Outcomes);
                }

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                db.ChangeTracker.Clear();
                return staged;
            }
            catch (Exception ex) when (attempt < attempts && DbErrors.IsWriteConflict(ex))
            {
                // Another writer took a key or updated a customer first; back off a little (jittered, so
                // contenders spread out) and stage again against what it committed.
                await transaction.RollbackAsync(CancellationToken.None);
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Stages an import's chunk before its transaction, while the chunk before it (<paramref name="pending"/>'s
    /// staging) is still being written: its keys and customers are read through <paramref name="readDb"/> (a context
    /// the writes do not use), then taken from the pending chunk wherever it stores them. Touches nothing of this
    /// ingestor's own context, so it runs beside <see cref="StoreAsync"/>.
    /// </summary>
    /// <param name="readDb">Reads the keys and customers (committed data).</param>
    /// <param name="items">The chunk.</param>
    /// <param name="importId">Its import.</param>
    /// <param name="pending">The staging of the chunk being stored now; null when none is. Its result null: that chunk failed, stage nothing.</param>
    /// <param name="cancellationToken">Stops the import.</param>
    /// <returns>The staging, or null when the pending chunk failed.</returns>
    public async Task<StagedChunk?> StageAheadAsync(FeedbackDbContext readDb, PreparedChunk items, Guid importId, Task<StagedChunk?>? pending, CancellationToken cancellationToken)
    {
        // A chunk of rejected rows only has nothing to look up (and no transaction to open for it).
        var lookups = items.Valid.Count == 0
            ? await LookupAsync(readDb, items.Valid, tracked: false, locked: false, cancellationToken)
            : await KeyLookups.ReadWithIndexProbesAsync(readDb, () => LookupAsync(readDb, items.Valid, tracked: false, locked: false, cancellationToken), cancellationToken);
        StagedChunk? basis = null;
        if (pending is not null)
        {
            basis = await pending;
            if (basis is null)
            {
                return null;
            }

            lookups = lookups.After(basis, items.Valid);
        }

        await router.RefreshAsync(cancellationToken);
        return await StageAsync(items, importId, lookups, bulk: true, basis, cancellationToken);
    }

    /// <summary>What the database holds of a chunk's keys and customers.</summary>
    private sealed record Lookups(Dictionary<(string Source, string ExternalId), (Guid Id, string Hash)> Keys, Dictionary<string, Customer> Customers)
    {
        /// <summary>
        /// As they will be once <paramref name="basis"/> is stored: its keys, and copies of its customers (this chunk
        /// changes them while <paramref name="basis"/> is still writing its own).
        /// </summary>
        public Lookups After(StagedChunk basis, List<(int Index, ValidFeedback Item, SentimentResult Sentiment)> valid)
        {
            var copied = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, item, _) in valid)
            {
                if (item.ExternalId is not null && basis.Keys.TryGetValue((item.Source, item.ExternalId), out var stored))
                {
                    Keys[(item.Source, item.ExternalId)] = stored;
                }

                var externalId = item.Customer.ExternalId;
                if (basis.Customers.TryGetValue(externalId, out var customer) && copied.Add(externalId))
                {
                    Customers[externalId] = customer.Copy();
                }
            }

            return this;
        }
    }

    /// <param name="db">Where to read.</param>
    /// <param name="valid">The chunk's valid items.</param>
    /// <param name="tracked">Customers tracked by <paramref name="db"/> (written through its change tracker).</param>
    /// <param name="locked">Inside the writing transaction: the customers are locked as they are read.</param>
    /// <param name="cancellationToken">Aborts the ingest.</param>
    private static async Task<Lookups> LookupAsync(
        FeedbackDbContext db, List<(int Index, ValidFeedback Item, SentimentResult Sentiment)> valid, bool tracked, bool locked, CancellationToken cancellationToken) =>
        valid.Count == 0
            ? new Lookups([], new Dictionary<string, Customer>(StringComparer.Ordinal))
            : new Lookups(await ExistingAsync(db, valid, cancellationToken), await CustomersAsync(db, valid, tracked, locked, cancellationToken));

    /// <summary>
    /// Decides each valid item's outcome against <paramref name="lookups"/> and builds the rows and events that store
    /// the new ones (routing them on the way). No database: the lookups were read before.
    /// </summary>
    private async Task<StagedChunk> StageAsync(PreparedChunk chunk, Guid? importId, Lookups lookups, bool bulk, StagedChunk? basis, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var outcomes = new IngestOutcome[chunk.Count];
        for (var i = 0; i < chunk.Count; i++)
        {
            outcomes[i] = chunk.Outcomes[i]!;
        }

        var (seen, customers) = (lookups.Keys, lookups.Customers);
        var rows = new Rows(Bulk: bulk);
        var valid = chunk.Valid;
        if (valid.Count == 0)
        {
            return new StagedChunk(outcomes, rows, customers, seen, basis);
        }

        var stored = customers.Values.ToHashSet(ReferenceEqualityComparer.Instance);

        // Pass 1, in order: repeats, customers, and what the rules will see of each new item at its turn.
        var created = new List<(int Index, ValidFeedback Item, Guid FeedbackId, Customer Customer)>(valid.Count);
        var toRoute = new List<(FeedbackFacts Facts, SentimentResult Sentiment)>(valid.Count);
        foreach (var (index, item, mood) in valid)
        {
            var key = item.ExternalId is null ? default : (item.Source, item.ExternalId);
            if (item.ExternalId is not null && seen.TryGetValue(key, out var earlier))
            {
                outcomes[index] = FeedbackItem.IsRepeat(earlier.Hash, item.ContentHash) ? IngestOutcome.Duplicate(earlier.Id) : IngestOutcome.Conflict(earlier.Id);
                continue;
            }

            var feedbackId = Guid.CreateVersion7(now);
            var previousScore = customers.TryGetValue(item.Customer.ExternalId, out var known) ? known.LastScore : null;
            var customer = Upsert(customers, stored, rows, item, feedbackId, now);
            created.Add((index, item, feedbackId, customer));
            toRoute.Add((FeedbackRouter.Facts(item, mood, customer, previousScore), mood));
            if (item.ExternalId is not null)
            {
                seen[key] = (feedbackId, item.ContentHash);
            }
        }

        // One hand-off to the rules engine for the whole chunk.
        var routedAll = await router.RouteManyAsync(toRoute, cancellationToken);

        // Pass 2: the rows and events, with each item's decision.
        for (var i = 0; i < created.Count; i++)
        {
            var (index, item, feedbackId, customer) = created[i];
            var routed = item.FollowUp is { } followUp ? FollowUps.FollowUpRouting.Unrouted(routedAll[i], followUp) : routedAll[i];
            rows.Items.Add(new FeedbackItem
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
                Sentiment = routed.Sentiment.Label,
                SentimentScore = routed.Sentiment.Score,
                Routing = routed.Explanation,
                CaseId = item.FollowUp?.CaseId,
                LoopInstanceId = item.FollowUp?.LoopInstanceId,
            });
            // Lower case, so that listing by topic does not depend on how a rule spelled it.
            rows.Topics.AddRange(routed.Decision.Topics
                .Select(t => (t.Length > ItemTopic.MaxLength ? t[..ItemTopic.MaxLength] : t).ToLowerInvariant())
                .Distinct(StringComparer.Ordinal)
                .Select(t => new ItemTopic { ItemId = feedbackId, Topic = t }));
            rows.Events.Add(new FeedbackReceivedIntegrationEvent(
                feedbackId, customer.Id, item.Source, item.Channel, item.Score, item.Category, item.Comment is not null, item.SubmittedAt));
            rows.Events.Add(new FeedbackRoutedIntegrationEvent(
                feedbackId, customer.Id, item.Score, item.Category, routed.Sentiment.Label, routed.Sentiment.Score,
                routed.Decision, routed.Fallback, routed.FallbackReason, routed.RuleSets, routed.Explanation));
            outcomes[index] = IngestOutcome.Created(feedbackId);
        }

        return new StagedChunk(outcomes, rows, customers, seen, basis);
    }

    /// <summary>
    /// A few items go through the change tracker (one batched round trip at SaveChanges); many are written
    /// in bulk now. Either way an existing customer is updated only if its version is still the one read.
    /// </summary>
    private async Task WriteAsync(Rows rows, CancellationToken cancellationToken)
    {
        if (rows.Items.Count == 0)
        {
            // Nothing new: no customer changed either, and no event.
            return;
        }

        if (!rows.Bulk)
        {
            db.Customers.AddRange(rows.NewCustomers);
            db.Items.AddRange(rows.Items);
            db.ItemTopics.AddRange(rows.Topics);
            db.CustomerVersions.AddRange(rows.Versions);
            foreach (var integrationEvent in rows.Events)
            {
                db.Publish(integrationEvent);
            }

            return;
        }

        // The events' JSON is written on another core while the other rows go in.
        var outbox = db.PrepareOutbox(rows.Events);

        // Rows in key order, so concurrent chunks lock shared customers in the same order (fewer deadlocks;
        // the ones left are retried like any write race).
        await db.BulkInsertAsync(rows.NewCustomers.OrderBy(c => c.ExternalId, StringComparer.Ordinal).ToList(), cancellationToken);
        await db.BulkUpdateAsync(rows.OriginalVersions.Keys.OrderBy(c => c.Id).ToList(), c => rows.OriginalVersions[c], cancellationToken);
        await db.BulkInsertAsync(rows.Items, cancellationToken);
        await db.BulkInsertAsync(rows.Topics, cancellationToken);
        await db.BulkInsertAsync(rows.Versions, cancellationToken);
        await db.PublishAllAsync(outbox, cancellationToken);
    }

    internal sealed record Rows(bool Bulk)
    {
        /// <summary>Existing customers this chunk changes, with the version they had when read.</summary>
        public Dictionary<Customer, int> OriginalVersions { get; } = new(ReferenceEqualityComparer.Instance);

        public List<FeedbackItem> Items { get; } = [];

        public List<ItemTopic> Topics { get; } = [];

        public List<Customer> NewCustomers { get; } = [];

        public List<CustomerVersion> Versions { get; } = [];

        public List<IntegrationEvent> Events { get; } = [];
    }

    /// <summary>
    /// The stored items among the chunk's keys, one query per source (a chunk nearly always has one):
    /// equality on the index's first column and the ids as ONE array parameter (every module context's setting,
    /// decision 0026) lets the planner probe the unique index; EF 10's default, a parameter per value, made
    /// PostgreSQL parse and plan an IN list of up to 1,000 values for every chunk. The explicit not-null test keeps EF from adding
    /// <c>OR ("ExternalId" IS NULL AND array_position(@ids, NULL) IS NOT NULL)</c>, with which PostgreSQL, while its
    /// statistics still saw a small table (an import's first minutes), probed the index by source alone and
    /// filtered every item of that source: 50–70 ms a chunk, growing with the import, instead of ~2.
    /// </summary>
    private static async Task<Dictionary<(string Source, string ExternalId), (Guid Id, string Hash)>> ExistingAsync(
        FeedbackDbContext db,
        List<(int Index, ValidFeedback Item, SentimentResult Sentiment)> valid, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(string Source, string ExternalId), (Guid Id, string Hash)>();
        foreach (var group in valid.Where(v => v.Item.ExternalId is not null).GroupBy(v => v.Item.Source, StringComparer.Ordinal))
        {
            var source = group.Key;
            var externalIds = group.Select(v => v.Item.ExternalId!).Distinct(StringComparer.Ordinal).ToList();
            var rows = await db.Items.AsNoTracking()
                .Where(i => i.Source == source && i.ExternalId != null && externalIds.Contains(i.ExternalId))
                .Select(i => new { i.ExternalId, i.Id, i.ContentHash })
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                found[(source, row.ExternalId!)] = (row.Id, row.ContentHash);
            }
        }

        return found;
    }

    /// <summary>
    /// The chunk's stored customers. Inside the transaction that will update them they are locked as they are read
    /// (<see cref="KeyLookups.ForUpdate"/>): a writer that reaches a customer another one is updating waits for it and
    /// reads its result, instead of losing the race and staging again — a customer busy with an import or with many
    /// posts at once would otherwise make its single posts retry until they gave up.
    /// </summary>
    private static async Task<Dictionary<string, Customer>> CustomersAsync(
        FeedbackDbContext db, List<(int Index, ValidFeedback Item, SentimentResult Sentiment)> valid, bool tracked, bool locked, CancellationToken cancellationToken)
    {
        var externalIds = valid.Select(v => v.Item.Customer.ExternalId).Distinct().ToList();
        var query = (locked ? KeyLookups.ForUpdate<Customer>(db, nameof(Customer.ExternalId), externalIds) : null)
            ?? db.Customers.Where(c => externalIds.Contains(c.ExternalId));
        return await (tracked ? query : query.AsNoTracking()).ToDictionaryAsync(c => c.ExternalId, StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>The latest submission's attributes win; every different set is kept as a version.</summary>
    private static Customer Upsert(Dictionary<string, Customer> customers, HashSet<object?> stored, Rows rows, ValidFeedback item, Guid feedbackId, DateTimeOffset now)
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
            rows.NewCustomers.Add(customer);
            customers[given.ExternalId] = customer;
        }
        else
        {
            if (stored.Contains(customer))
            {
                rows.OriginalVersions.TryAdd(customer, customer.Version);
            }

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
            rows.Versions.Add(new CustomerVersion
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
