using ClosedLoop.Communication.Data;
using ClosedLoop.Feedback.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>
/// Whether a message of a purpose may go to a customer, decided when it is written: null to send, else why not
/// (stored as the message's suppression reason). Checked in this order, so the reason names the first obstacle:
/// erased, no address, no consent for the purpose, then (marketing only) the frequency cap. Internal messages go to
/// staff and are never suppressed here.
/// </summary>
/// <remarks>
/// The cap counts the customer's marketing messages created in the window that were not suppressed (pending,
/// retrying, sent or dead-lettered: each was, or may still be, an email in their inbox), including those added to
/// <em>this</em> context and not saved yet, so a composer writing several in one transaction cannot exceed it.
/// Concurrent transactions can each see room for one more; the cap is a courtesy limit, not an invariant.
/// </remarks>
internal sealed class ConsentPolicy(IOptions<ConsentOptions> options)
{
    public const string CustomerErased = "customer-erased";
    public const string NoAddress = "no-address";
    public const string NoTransactionalConsent = "no-consent:transactional";
    public const string NoMarketingConsent = "no-consent:marketing";
    public const string FrequencyCap = "frequency-cap";

    /// <summary>Why a message of <paramref name="purpose"/> must not go to <paramref name="customer"/> at <paramref name="now"/>, or null to send it.</summary>
    public async Task<string?> SuppressionReasonAsync(
        CommunicationDbContext db, CustomerContact customer, MessagePurpose purpose, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var reasons = await SuppressionReasonsAsync(db, [customer], purpose, now, ct);
        return reasons[customer.Id];
    }

    /// <summary>
    /// <see cref="SuppressionReasonAsync"/> for a transactional or internal message, with the customer's recorded consent
    /// (null: none recorded) read by the caller together with what else it needed: no statement of its own. Marketing
    /// also counts the frequency cap, so it goes through <see cref="SuppressionReasonAsync"/>.
    /// </summary>
    public string? SuppressionReason(CommunicationDbContext db, CustomerContact customer, MessagePurpose purpose, (bool Transactional, bool Marketing)? recorded)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(customer);
        if (purpose == MessagePurpose.Marketing)
        {
            throw new ArgumentException("A marketing message's reason needs the frequency cap: use SuppressionReasonAsync.", nameof(purpose));
        }

        if (purpose == MessagePurpose.Internal)
        {
            return null;
        }

        if (Unreachable(customer) is { } unreachable)
        {
            return unreachable;
        }

        var consent = Changed(db).LastOrDefault(c => c.CustomerId == customer.Id) is { } changed
            ? (changed.Transactional, changed.Marketing)
            : recorded ?? (options.Value.TransactionalByDefault, options.Value.MarketingByDefault);
        return consent.Transactional ? null : NoTransactionalConsent;
    }

    /// <summary>
    /// <see cref="SuppressionReasonAsync"/> for many customers (an announcement's page) in two statements whatever
    /// their number: one reads the recorded consents, one counts the capped messages per customer.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, string?>> SuppressionReasonsAsync(
        CommunicationDbContext db, IReadOnlyList<CustomerContact> customers, MessagePurpose purpose, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(customers);
        var reasons = new Dictionary<Guid, string?>(customers.Count);
        var reachable = new List<Guid>(customers.Count);
        foreach (var customer in customers)
        {
            reasons[customer.Id] = purpose == MessagePurpose.Internal ? null : Unreachable(customer);
            if (purpose != MessagePurpose.Internal && reasons[customer.Id] is null)
            {
                reachable.Add(customer.Id);
            }
        }

        if (reachable.Count == 0)
        {
            return reasons;
        }

        var consents = await EffectiveConsentsAsync(db, reachable, ct);
        var consenting = new List<Guid>(reachable.Count);
        foreach (var id in reachable.Distinct())
        {
            var (transactional, marketing) = consents[id];
            reasons[id] = purpose == MessagePurpose.Transactional
                ? transactional ? null : NoTransactionalConsent
                : marketing ? null : NoMarketingConsent;
            if (reasons[id] is null)
            {
                consenting.Add(id);
            }
        }

        if (purpose == MessagePurpose.Marketing && consenting.Count > 0)
        {
            var counts = await CappedCountsAsync(db, consenting, now, ct);
            foreach (var id in consenting)
            {
                if (counts.GetValueOrDefault(id) >= options.Value.FrequencyCap.MaxMessages)
                {
                    reasons[id] = FrequencyCap;
                }
            }
        }

        return reasons;
    }

    /// <summary>Each customer's consent: the recorded choice (saved, or changed in this context), else the configured defaults.</summary>
    private async Task<Dictionary<Guid, (bool Transactional, bool Marketing)>> EffectiveConsentsAsync(
        CommunicationDbContext db, List<Guid> ids, CancellationToken ct)
    {
        var defaults = (options.Value.TransactionalByDefault, options.Value.MarketingByDefault);
        var result = ids.Distinct().ToDictionary(id => id, _ => defaults);
        var recorded = await db.Consents.AsNoTracking().Where(c => ids.Contains(c.CustomerId)).ToListAsync(ct);
        foreach (var consent in recorded.Concat(Changed(db)).Where(c => result.ContainsKey(c.CustomerId)))
        {
            result[consent.CustomerId] = (consent.Transactional, consent.Marketing);
        }

        return result;
    }

    /// <summary>Why no customer message can reach <paramref name="customer"/> whatever its consent (the first two checks), or null.</summary>
    private static string? Unreachable(CustomerContact customer) =>
        customer.Erased ? CustomerErased : string.IsNullOrWhiteSpace(customer.Email) ? NoAddress : null;

    /// <summary>Consents changed in this context and not saved yet: they win over the stored ones.</summary>
    private static IEnumerable<ConsentRecord> Changed(CommunicationDbContext db) =>
        db.ChangeTracker.Entries<ConsentRecord>().Where(e => e.State is EntityState.Added or EntityState.Modified).Select(e => e.Entity);

    /// <summary>Per customer, the marketing messages that count against the cap: stored ones in the window, plus this context's unsaved ones.</summary>
    private async Task<Dictionary<Guid, int>> CappedCountsAsync(CommunicationDbContext db, List<Guid> ids, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - options.Value.FrequencyCap.Window;
        var keys = ids.Select(id => (Guid?)id).ToList();
        var counts = await db.Messages.AsNoTracking()
            .Where(m => keys.Contains(m.CustomerId) && m.CreatedAt > since
                && m.Purpose == MessagePurpose.Marketing && m.Status != MessageStatus.Suppressed)
            .GroupBy(m => m.CustomerId)
            .Select(g => new { CustomerId = g.Key!.Value, Count = g.Count() })
            .ToDictionaryAsync(c => c.CustomerId, c => c.Count, ct);
        var wanted = ids.ToHashSet();
        foreach (var pending in db.ChangeTracker.Entries<MessageRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
        {
            if (pending is { Purpose: MessagePurpose.Marketing, CustomerId: { } id } && pending.Status != MessageStatus.Suppressed
                && pending.CreatedAt > since && wanted.Contains(id))
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }
}
