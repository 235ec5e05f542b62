using System.Diagnostics;
using System.Threading.Channels;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// Delivers due messages, at least once: claims a batch under a lease, sends up to <c>Concurrency</c> at a time, and
/// writes each outcome as soon as a few are in. A crash between a send and its write leaves the row leased; when the
/// lease lapses it is sent again with the same Message-ID / webhook-id, which receivers use to drop the duplicate.
/// Outcomes are written only while the claim still holds, so a dispatcher that lost its lease changes nothing.
/// </summary>
internal sealed class MessageDispatcher(
    IServiceScopeFactory scopes,
    MessageClaimer claimer,
    SmtpTransport smtp,
    WebhookTransport webhooks,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<MessageDispatcher> logger)
{
    /// <summary>Outcomes written in one transaction at most; a burst of fast sends shares one commit.</summary>
    private const int MaxOutcomesPerWrite = 200;

    private readonly DeliveryOptions _options = options.Value;

    /// <summary>Claims and delivers one batch; returns how many messages it claimed (0: nothing was due).</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        var token = Guid.NewGuid();
        List<MessageRecord> batch;
        Dictionary<Guid, WebhookEndpointRecord> endpoints;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CommunicationDbContext>();
            batch = await claimer.ClaimAsync(db, token, time.GetUtcNow(), _options.Lease, _options.BatchSize, smtp.IsConfigured, cancellationToken);
            if (batch.Count == 0)
            {
                return 0;
            }

            var endpointIds = batch.Where(m => m.WebhookEndpointId is not null).Select(m => m.WebhookEndpointId!.Value).Distinct().ToList();
            endpoints = endpointIds.Count == 0
                ? []
                : await db.WebhookEndpoints.AsNoTracking().Where(e => endpointIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        }

        var outcomes = Channel.CreateUnbounded<DeliveryOutcome>(new UnboundedChannelOptions { SingleReader = true });
        var writer = WriteOutcomesAsync(outcomes.Reader, token);
        try
        {
            await Parallel.ForEachAsync(
                batch,
                new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
                async (message, ct) =>
                {
                    if (await AttemptAsync(message, endpoints, ct) is { } outcome)
                    {
                        outcomes.Writer.TryWrite(outcome);
                    }
                });
        }
        finally
        {
            outcomes.Writer.TryComplete();
            await writer;
        }

        return batch.Count;
    }

    /// <summary>One attempt; null when the host is stopping (the lease lapses and another attempt follows).</summary>
    private async Task<DeliveryOutcome?> AttemptAsync(MessageRecord message, Dictionary<Guid, WebhookEndpointRecord> endpoints, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        DeliveryOutcome Outcome(DeliveryResult result, string? detail = null) => new(message, result, startedAt, clock.Elapsed.TotalMilliseconds, detail);

        if (message.Channel == MessageChannel.Webhook)
        {
            if (message.WebhookEndpointId is not { } endpointId || !endpoints.TryGetValue(endpointId, out var endpoint))
            {
                return Outcome(DeliveryResult.Suppressed, "webhook-endpoint-deleted");
            }

            if (!endpoint.Enabled)
            {
                return Outcome(DeliveryResult.Suppressed, "webhook-endpoint-disabled");
            }

            // To the endpoint's URL and secret as they are now, not as when the row was written: an admin who fixed a
            // URL then retries the dead letters.
            return await TryAsync(() => webhooks.SendAsync(message, endpoint, cancellationToken), Outcome, message, cancellationToken);
        }

        if (string.IsNullOrWhiteSpace(message.RecipientAddress))
        {
            return Outcome(DeliveryResult.Suppressed, "no-address");
        }

        return await TryAsync(() => smtp.SendAsync(message, cancellationToken), Outcome, message, cancellationToken);
    }

    private async Task<DeliveryOutcome?> TryAsync(
        Func<Task> send, Func<DeliveryResult, string?, DeliveryOutcome> outcome, MessageRecord message, CancellationToken cancellationToken)
    {
        try
        {
            await send();
            return outcome(DeliveryResult.Sent, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
#pragma warning disable CA1031 // Whatever a transport throws is a failed attempt of this message, never of the batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var error = DeliveryErrors.Describe(ex);
            logger.LogWarning("{Channel} message {MessageId} attempt {Attempt} failed: {Error}", message.Channel, message.Id, message.Attempts + 1, error);
            logger.LogDebug(ex, "Delivery of message {MessageId} failed", message.Id);
            return outcome(DeliveryResult.Failed, error);
        }
    }

    /// <summary>Writes outcomes as they arrive, each write taking whatever has accumulated meanwhile.</summary>
    private async Task WriteOutcomesAsync(ChannelReader<DeliveryOutcome> reader, Guid token)
    {
        var pending = new List<DeliveryOutcome>(MaxOutcomesPerWrite);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (pending.Count < MaxOutcomesPerWrite && reader.TryRead(out var outcome))
            {
                pending.Add(outcome);
            }

            try
            {
                await RecordAsync(pending, token);
            }
#pragma warning disable CA1031 // A write that fails leaves the rows leased: they lapse and go again, as after a crash.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Recording {Count} delivery outcomes failed; those messages are sent again once their lease lapses", pending.Count);
            }

            pending.Clear();
        }
    }

    /// <summary>
    /// One transaction: each row moves on only if our claim still holds (the token), and its attempt and integration
    /// event are written with it, so the Delivered / DeadLettered events exist exactly when the row says so.
    /// </summary>
    private async Task RecordAsync(List<DeliveryOutcome> outcomes, Guid token)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunicationDbContext>();
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var now = time.GetUtcNow();

        var sent = outcomes.Where(o => o.Result == DeliveryResult.Sent).ToList();
        if (sent.Count > 0)
        {
            // Marked with a token of this write, then read back: exactly the rows whose claim still held, and no others.
            var ids = sent.ConvertAll(o => o.Message.Id);
            var written = Guid.NewGuid();
            await db.Messages
                .Where(m => ids.Contains(m.Id) && m.LockToken == token)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.Status, MessageStatus.Sent)
                        .SetProperty(m => m.SentAt, now)
                        .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                        .SetProperty(m => m.LastError, (string?)null)
                        .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                        .SetProperty(m => m.LockToken, written),
                    CancellationToken.None);
            var held = (await db.Messages.Where(m => ids.Contains(m.Id) && m.LockToken == written).Select(m => m.Id).ToListAsync(CancellationToken.None)).ToHashSet();
            await db.Messages.Where(m => ids.Contains(m.Id) && m.LockToken == written).ExecuteUpdateAsync(s => s.SetProperty(m => m.LockToken, (Guid?)null), CancellationToken.None);
            foreach (var outcome in sent.Where(o => held.Contains(o.Message.Id)))
            {
                var m = outcome.Message;
                AddAttempt(db, outcome, succeeded: true);
                db.Publish(new MessageDeliveredIntegrationEvent(m.Id, m.CaseId, m.CustomerId, m.TemplateKey, m.Channel.ToString().ToLowerInvariant(), now, m.Purpose != MessagePurpose.Internal));
            }
        }

        foreach (var outcome in outcomes.Where(o => o.Result != DeliveryResult.Sent))
        {
            if (await RecordUnsentAsync(db, outcome, token, now))
            {
                if (outcome.Result == DeliveryResult.Failed)
                {
                    AddAttempt(db, outcome, succeeded: false);
                }
            }
        }

        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    private async Task<bool> RecordUnsentAsync(CommunicationDbContext db, DeliveryOutcome outcome, Guid token, DateTimeOffset now)
    {
        var m = outcome.Message;
        var mine = db.Messages.Where(r => r.Id == m.Id && r.LockToken == token);
        if (outcome.Result == DeliveryResult.Suppressed)
        {
            logger.LogInformation("Message {MessageId} suppressed at delivery: {Reason}", m.Id, outcome.Detail);
            return await mine.ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.Suppressed)
                    .SetProperty(r => r.SuppressionReason, outcome.Detail)
                    .SetProperty(r => r.LockedUntil, (DateTimeOffset?)null)
                    .SetProperty(r => r.LockToken, (Guid?)null),
                CancellationToken.None) == 1;
        }

        var attempts = m.Attempts + 1;
        var givesUp = Backoff.GivesUp(attempts, _options.MaxAttempts);
        var next = givesUp ? now : now + Backoff.Delay(attempts, _options, Random.Shared);
        var updated = await mine.ExecuteUpdateAsync(
            s => s.SetProperty(r => r.Status, givesUp ? MessageStatus.DeadLettered : MessageStatus.Retrying)
                .SetProperty(r => r.Attempts, attempts)
                .SetProperty(r => r.LastError, outcome.Detail)
                .SetProperty(r => r.NextAttemptAt, next)
                .SetProperty(r => r.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(r => r.LockToken, (Guid?)null),
            CancellationToken.None) == 1;
        if (updated && givesUp)
        {
            logger.LogError("Message {MessageId} dead-lettered after {Attempts} attempts: {Error}", m.Id, attempts, outcome.Detail);
            db.Publish(new MessageDeadLetteredIntegrationEvent(m.Id, m.CaseId, m.CustomerId, m.TemplateKey, attempts, outcome.Detail ?? "", m.Purpose != MessagePurpose.Internal));
        }

        return updated;
    }

    private static void AddAttempt(CommunicationDbContext db, DeliveryOutcome outcome, bool succeeded) => db.MessageAttempts.Add(new MessageAttemptRecord
    {
        MessageId = outcome.Message.Id,
        Number = outcome.Message.Attempts + 1,
        StartedAt = outcome.StartedAt,
        DurationMs = outcome.DurationMs,
        Succeeded = succeeded,
        Error = outcome.Detail,
    });
}
