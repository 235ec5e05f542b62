using System.Text.Json;
using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Messaging;

/// <summary>
/// Hands committed outbox messages to their handlers. Safe to run concurrently, in one process or many:
/// rows are leased before work, and each handler's inbox row makes a second delivery a no-op.
/// </summary>
public sealed class OutboxDispatcher
{
    private static readonly TimeSpan UnknownTypeDelay = TimeSpan.FromMinutes(1);

    private readonly IServiceScopeFactory _scopes;
    private readonly IReadOnlyList<Type> _sources;
    private readonly ILookup<string, HandlerRegistration> _handlers;
    private readonly IntegrationEventCatalog _catalog;
    private readonly MessagingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxDispatcher> _logger;

    internal OutboxDispatcher(
        IServiceScopeFactory scopes,
        IEnumerable<ModuleDbContextRegistration> contexts,
        IEnumerable<HandlerRegistration> handlers,
        IntegrationEventCatalog catalog,
        IOptions<MessagingOptions> options,
        TimeProvider time,
        ILogger<OutboxDispatcher> logger)
    {
        _scopes = scopes;
        _sources = contexts.Select(c => c.ContextType).Where(t => t.IsAssignableTo(typeof(ModuleDbContext))).ToList();
        var registrations = handlers.ToList();
        _handlers = registrations.ToLookup(h => IntegrationEventTypes.NameOf(h.EventType));
        _catalog = catalog;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Delivers what is due in every module's outbox; returns how many messages were settled.</summary>
    public async Task<int> DispatchPendingAsync(CancellationToken cancellationToken = default)
    {
        var settled = 0;
        foreach (var source in _sources)
        {
            settled += await DispatchSourceAsync(source, cancellationToken);
        }

        return settled;
    }

    /// <summary>Deletes processed outbox rows and inbox rows past the retention period.</summary>
    public async Task PurgeAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _time.GetUtcNow() - _options.Retention;
        foreach (var source in _sources)
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = (ModuleDbContext)scope.ServiceProvider.GetRequiredService(source);
            await db.OutboxMessages.Where(m => m.ProcessedAt != null && m.ProcessedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
            await db.InboxMessages.Where(m => m.ProcessedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        }
    }

    private async Task<int> DispatchSourceAsync(Type source, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = (ModuleDbContext)scope.ServiceProvider.GetRequiredService(source);
        var (batch, settledUnhandled) = await ClaimAsync(db, cancellationToken);
        var delivered = new List<Guid>(batch.Count);
        var toHandle = new List<Delivery>(batch.Count);
        foreach (var message in batch)
        {
            if (_catalog.TryGet(message.Type, out _) && !_handlers.Contains(message.Type))
            {
                // Declared but handled by no module (yet): nothing to do, and nothing worth deserialising.
                delivered.Add(message.Id);
            }
            else if (await ReadAsync(db, message, cancellationToken) is { } delivery)
            {
                toHandle.Add(delivery);
            }
        }

        await HandleAllAsync(toHandle, cancellationToken);
        foreach (var delivery in toHandle)
        {
            if (delivery.Failures is null)
            {
                delivered.Add(delivery.Message.Id);
            }
            else
            {
                var error = delivery.Failures.Count == 1 ? delivery.Failures[0] : new AggregateException(delivery.Failures);
                await RecordFailureAsync(db, delivery.Message, error, cancellationToken);
            }
        }

        if (delivered.Count > 0)
        {
            // One statement for the batch: a crash before it only means a redelivery the inboxes absorb.
            var token = batch[0].LockToken;
            var now = _time.GetUtcNow();
            await db.OutboxMessages
                .Where(m => delivered.Contains(m.Id) && m.LockToken == token)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, now).SetProperty(m => m.LockedUntil, OutboxMessage.Settled).SetProperty(m => m.LastError, (string?)null), cancellationToken);
        }

        return settledUnhandled + batch.Count;
    }

    /// <summary>A claimed message with its event, on its way through each of its handlers.</summary>
    private sealed class Delivery(OutboxMessage message, IntegrationEvent integrationEvent)
    {
        public OutboxMessage Message { get; } = message;

        public IntegrationEvent Event { get; } = integrationEvent;

        /// <summary>What each failed handler threw; null while every handler has succeeded.</summary>
        public List<Exception>? Failures { get; private set; }

        public void Failed(Exception error) => (Failures ??= []).Add(error);
    }

    /// <summary>
    /// The message's event, or null when there is nothing to hand over: its type is unknown to this version
    /// (deferred) or its payload cannot be read (recorded as a failed attempt).
    /// </summary>
    private async Task<Delivery?> ReadAsync(ModuleDbContext source, OutboxMessage message, CancellationToken cancellationToken)
    {
        if (!_catalog.TryGet(message.Type, out var eventType))
        {
            await DeferUnknownAsync(source, message);
            return null;
        }

        try
        {
            var integrationEvent = (IntegrationEvent)(JsonSerializer.Deserialize(message.Payload, eventType, ModuleDbContext.SerializerOptions)
                ?? throw new InvalidOperationException($"Outbox message {message.Id} has an empty payload."));
            return new Delivery(message, integrationEvent);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await RecordFailureAsync(source, message, ex, cancellationToken);
            return null;
        }
    }

    /// <summary>
    /// Every handler gets its turn at each message even when another fails: a broken handler must not hold back
    /// (or, once parked, starve) the other modules; the inbox skips the ones that succeeded on a retry. Each handler
    /// takes the batch's messages in their order, all in one transaction; if that fails, one message at a time.
    /// </summary>
    private async Task HandleAllAsync(List<Delivery> deliveries, CancellationToken cancellationToken)
    {
        foreach (var handler in deliveries.SelectMany(d => _handlers[d.Message.Type]).Distinct())
        {
            var mine = deliveries.Where(d => _handlers[d.Message.Type].Contains(handler)).ToList();
            if (mine.Count == 1 || await HandleBatchAsync(handler, mine, cancellationToken) is not null)
            {
                foreach (var delivery in mine)
                {
                    if (await HandleBatchAsync(handler, [delivery], cancellationToken) is { } error)
                    {
                        delivery.Failed(error);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="handler"/> for <paramref name="deliveries"/> in ONE transaction on its module's DbContext,
    /// with one inbox row per message, and commits: a burst of events (an import's thousands of routed items) is a
    /// few round trips per batch instead of a transaction and several round trips per message. Returns null when
    /// it committed (or another dispatcher had already handled the one message), else the error, everything rolled back.
    /// </summary>
    private async Task<Exception?> HandleBatchAsync(HandlerRegistration handler, List<Delivery> deliveries, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = (ModuleDbContext)scope.ServiceProvider.GetRequiredService(handler.ContextType);

        // A failure rolls the whole transaction back, so EF's savepoint around each save is two round trips for nothing.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var ids = deliveries.Select(d => d.Message.Id).ToList();
            var done = (await db.InboxMessages.AsNoTracking()
                .Where(i => i.Handler == handler.Name && ids.Contains(i.MessageId))
                .Select(i => i.MessageId)
                .ToListAsync(cancellationToken)).ToHashSet();
            var todo = deliveries.Where(d => !done.Contains(d.Message.Id)).ToList();
            if (todo.Count == 0)
            {
                return null;
            }

            await handler.InvokeMany(scope.ServiceProvider, todo.ConvertAll(d => d.Event), cancellationToken);
            var now = _time.GetUtcNow();
            db.InboxMessages.AddRange(todo.Select(d => new InboxMessage { MessageId = d.Message.Id, Handler = handler.Name, ProcessedAt = now }));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (transaction.GetDbTransaction().Connection is not null)
            {
                // Still open (the failure was not the commit itself): release its locks before looking further.
                await transaction.RollbackAsync(CancellationToken.None);
            }

            if (deliveries.Count > 1)
            {
                _logger.LogWarning(ex, "A batch of {Count} {Type} deliveries to {Handler} failed; delivering them one at a time", deliveries.Count, deliveries[0].Message.Type, handler.Name);
                return ex;
            }

            // Another dispatcher committed the same delivery first: ours rolled back with its side effects.
            return ex is DbUpdateException && await AlreadyHandledAsync(handler, deliveries[0].Message.Id, cancellationToken) ? null : ex;
        }
    }

    /// <summary>Leases the next due messages; those no handler wants are settled on the spot and only counted.</summary>
    /// <remarks>
    /// The candidates are read whole, so when the lease takes every one of them (the rule: only another replica's claim
    /// in between takes some) they are the batch, and the claim is two statements: the read and the lease. Otherwise
    /// the batch is read back by the lease's token.
    /// </remarks>
    private async Task<(List<OutboxMessage> Batch, int SettledUnhandled)> ClaimAsync(ModuleDbContext db, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var candidates = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.ProcessedAt == null && m.FailedAt == null && m.NextAttemptAt <= now && (m.LockedUntil == null || m.LockedUntil < now))
            .OrderBy(m => m.NextAttemptAt)
            .Take(_options.BatchSize)
            .ToListAsync(cancellationToken);
        var unhandled = candidates.Where(m => _catalog.TryGet(m.Type, out _) && !_handlers.Contains(m.Type)).Select(m => m.Id).ToList();
        var settled = 0;
        if (unhandled.Count > 0)
        {
            // Declared but handled by no module of this version: settle them straight away, without a
            // lease, a load or a delivery (the conditions re-checked as for the lease below).
            settled = await db.OutboxMessages
                .Where(m => unhandled.Contains(m.Id) && (m.LockedUntil == null || m.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, now).SetProperty(m => m.LockedUntil, OutboxMessage.Settled), cancellationToken);
        }

        var due = candidates.Select(m => m.Id).Except(unhandled).ToList();
        if (due.Count == 0)
        {
            return ([], settled);
        }

        var token = Guid.NewGuid();
        var leasedUntil = now + _options.Lease;
        var leased = await db.OutboxMessages
            // Re-checked: another replica may have leased, settled, parked or deferred a row since. A settled or parked
            // row is leased forever (OutboxMessage.Settled), so the lock alone tells; naming ProcessedAt/FailedAt here
            // would let PostgreSQL use the partial index of pending rows, which it does whenever its statistics still
            // see few of them (an import's burst): a walk over every pending row per claim instead of one key lookup each.
            .Where(m => due.Contains(m.Id) && m.NextAttemptAt <= now && (m.LockedUntil == null || m.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockToken, token).SetProperty(m => m.LockedUntil, leasedUntil), cancellationToken);
        if (leased == due.Count)
        {
            // Each row was free and due when the lease took it, so nobody changed it since the read: a row that another
            // dispatcher leased, settled, failed or deferred in between is no longer free or due, and would not count.
            var batch = candidates.Where(m => !unhandled.Contains(m.Id)).ToList();
            foreach (var message in batch)
            {
                message.LockToken = token;
                message.LockedUntil = leasedUntil;
            }

            return (batch, settled);
        }

        var leasedBatch = await db.OutboxMessages.AsNoTracking()
            .Where(m => due.Contains(m.Id) && m.LockToken == token)
            .OrderBy(m => m.NextAttemptAt)
            .ToListAsync(cancellationToken);
        return (leasedBatch, settled);
    }

    /// <summary>
    /// A type this version does not know was written by a newer one: leave it for a replica that knows it,
    /// without spending an attempt.
    /// </summary>
    private async Task DeferUnknownAsync(ModuleDbContext source, OutboxMessage message)
    {
        _logger.LogWarning("Outbox message {MessageId} has type {Type}, unknown to this version; leaving it for a replica that knows it", message.Id, message.Type);
        var later = _time.GetUtcNow() + UnknownTypeDelay;
        await source.OutboxMessages
            .Where(m => m.Id == message.Id && m.LockToken == message.LockToken)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, later).SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
    }

    private async Task<bool> AlreadyHandledAsync(HandlerRegistration handler, Guid messageId, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = (ModuleDbContext)scope.ServiceProvider.GetRequiredService(handler.ContextType);
        return await db.InboxMessages.AnyAsync(i => i.MessageId == messageId && i.Handler == handler.Name, cancellationToken);
    }

    private async Task RecordFailureAsync(ModuleDbContext source, OutboxMessage message, Exception error, CancellationToken cancellationToken)
    {
        var attempts = message.Attempts + 1;
        var now = _time.GetUtcNow();
        var giveUp = attempts >= _options.MaxAttempts;
        var backoff = TimeSpan.FromSeconds(Math.Min(3600, Math.Pow(2, attempts)));
        var text = error.ToString();
        var lastError = text.Length > 4000 ? text[..4000] : text;
        if (giveUp)
        {
            _logger.LogError(error, "Outbox message {MessageId} ({Type}) failed {Attempts} times and is parked", message.Id, message.Type, attempts);
        }
        else
        {
            _logger.LogWarning(error, "Outbox message {MessageId} ({Type}) failed (attempt {Attempts}); retrying in {Backoff}", message.Id, message.Type, attempts, backoff);
        }

        source.ChangeTracker.Clear();
        await source.OutboxMessages
            .Where(m => m.Id == message.Id && m.LockToken == message.LockToken)
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.Attempts, attempts)
                    .SetProperty(m => m.LastError, lastError)
                    .SetProperty(m => m.NextAttemptAt, now + backoff)
                    .SetProperty(m => m.LockedUntil, giveUp ? OutboxMessage.Settled : null)
                    .SetProperty(m => m.FailedAt, giveUp ? now : null),
                CancellationToken.None);
    }
}
