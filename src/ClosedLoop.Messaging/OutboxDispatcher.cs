using System.Runtime.ExceptionServices;
using System.Text.Json;
using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;
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
        foreach (var message in batch)
        {
            if (await DeliverAsync(db, message, cancellationToken))
            {
                delivered.Add(message.Id);
            }
        }

        if (delivered.Count > 0)
        {
            // One statement for the batch: a crash before it only means a redelivery the inboxes absorb.
            var token = batch[0].LockToken;
            var now = _time.GetUtcNow();
            await db.OutboxMessages
                .Where(m => delivered.Contains(m.Id) && m.LockToken == token)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, now).SetProperty(m => m.LockedUntil, (DateTimeOffset?)null).SetProperty(m => m.LastError, (string?)null), cancellationToken);
        }

        return settledUnhandled + batch.Count;
    }

    /// <summary>Leases the next due messages; those no handler wants are settled on the spot and only counted.</summary>
    private async Task<(List<OutboxMessage> Batch, int SettledUnhandled)> ClaimAsync(ModuleDbContext db, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var candidates = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.ProcessedAt == null && m.FailedAt == null && m.NextAttemptAt <= now && (m.LockedUntil == null || m.LockedUntil < now))
            .OrderBy(m => m.NextAttemptAt)
            .Take(_options.BatchSize)
            .Select(m => new { m.Id, m.Type })
            .ToListAsync(cancellationToken);
        var unhandled = candidates.Where(m => _catalog.TryGet(m.Type, out _) && !_handlers.Contains(m.Type)).Select(m => m.Id).ToList();
        var settled = 0;
        if (unhandled.Count > 0)
        {
            // Declared but handled by no module of this version: settle them straight away, without a
            // lease, a load or a delivery (the same conditions re-checked, as for the lease below).
            settled = await db.OutboxMessages
                .Where(m => unhandled.Contains(m.Id) && m.ProcessedAt == null && m.FailedAt == null && (m.LockedUntil == null || m.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, now), cancellationToken);
        }

        var due = candidates.Select(m => m.Id).Except(unhandled).ToList();
        if (due.Count == 0)
        {
            return ([], settled);
        }

        var token = Guid.NewGuid();
        var leasedUntil = now + _options.Lease;
        await db.OutboxMessages
            // The same conditions as above, re-checked: another replica may have settled, failed or parked a row since.
            .Where(m => due.Contains(m.Id) && m.ProcessedAt == null && m.FailedAt == null && m.NextAttemptAt <= now
                && (m.LockedUntil == null || m.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockToken, token).SetProperty(m => m.LockedUntil, leasedUntil), cancellationToken);
        var batch = await db.OutboxMessages.AsNoTracking()
            .Where(m => due.Contains(m.Id) && m.LockToken == token)
            .OrderBy(m => m.NextAttemptAt)
            .ToListAsync(cancellationToken);
        return (batch, settled);
    }

    /// <summary>Runs every handler of the message; true when all succeeded and the message can be settled.</summary>
    private async Task<bool> DeliverAsync(ModuleDbContext source, OutboxMessage message, CancellationToken cancellationToken)
    {
        if (!_catalog.TryGet(message.Type, out var eventType))
        {
            await DeferUnknownAsync(source, message);
            return false;
        }

        if (!_handlers.Contains(message.Type))
        {
            // Declared but handled by no module (yet): nothing to do, and nothing worth deserialising.
            return true;
        }

        try
        {
            {
                var integrationEvent = (IntegrationEvent)(JsonSerializer.Deserialize(message.Payload, eventType, ModuleDbContext.SerializerOptions)
                    ?? throw new InvalidOperationException($"Outbox message {message.Id} has an empty payload."));
                // Every handler gets its turn even when one fails: a broken handler must not hold back (or,
                // once parked, starve) the other modules. The inbox skips the ones that succeeded on retry.
                List<Exception>? failures = null;
                foreach (var handler in _handlers[message.Type])
                {
                    try
                    {
                        await HandleOnceAsync(handler, message.Id, integrationEvent, cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        (failures ??= []).Add(ex);
                    }
                }

                if (failures is { Count: 1 })
                {
                    ExceptionDispatchInfo.Throw(failures[0]);
                }
                else if (failures is not null)
                {
                    throw new AggregateException(failures);
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await RecordFailureAsync(source, message, ex, cancellationToken);
            return false;
        }
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

    private async Task HandleOnceAsync(HandlerRegistration handler, Guid messageId, IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = (ModuleDbContext)scope.ServiceProvider.GetRequiredService(handler.ContextType);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.InboxMessages.AnyAsync(i => i.MessageId == messageId && i.Handler == handler.Name, cancellationToken))
        {
            return;
        }

        await handler.Invoke(scope.ServiceProvider, integrationEvent, cancellationToken);
        db.InboxMessages.Add(new InboxMessage { MessageId = messageId, Handler = handler.Name, ProcessedAt = _time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            if (!await AlreadyHandledAsync(handler, messageId, cancellationToken))
            {
                throw;
            }

            // Another dispatcher committed the same delivery first; ours rolled back with its side effects.
        }
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
                    .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.FailedAt, giveUp ? now : null),
                CancellationToken.None);
    }
}
