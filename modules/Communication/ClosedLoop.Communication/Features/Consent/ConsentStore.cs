using ClosedLoop.Communication.Data;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>A customer's consent as it applies now: recorded, or the configured defaults when they never chose.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Transactional">Whether transactional messages may be sent.</param>
/// <param name="Marketing">Whether marketing messages may be sent.</param>
/// <param name="UpdatedAt">When the choice was recorded; null for the defaults.</param>
/// <param name="UpdatedBy">Who recorded it; null for the defaults.</param>
/// <param name="Recorded">A choice is stored (else the defaults apply).</param>
/// <param name="Changed">Whether the call that produced it changed anything (an idempotent repeat did not).</param>
internal sealed record EffectiveConsent(Guid CustomerId, bool Transactional, bool Marketing, DateTimeOffset? UpdatedAt, string? UpdatedBy, bool Recorded, bool Changed = false);

/// <summary>
/// Reads and records consent. A choice is stored as a whole row (both purposes) the first time anything is set, so
/// the row stays correct when the defaults are later reconfigured: the customer's answer was about what applied then.
/// </summary>
internal sealed class ConsentStore(CommunicationDbContext db, IOptions<ConsentOptions> options, TimeProvider time)
{
    public async Task<EffectiveConsent> GetAsync(Guid customerId, CancellationToken ct)
    {
        var row = await db.Consents.AsNoTracking().FirstOrDefaultAsync(c => c.CustomerId == customerId, ct);
        return row is null
            ? new EffectiveConsent(customerId, options.Value.TransactionalByDefault, options.Value.MarketingByDefault, null, null, Recorded: false)
            : Of(row, changed: false);
    }

    /// <summary>
    /// Sets what is given (null leaves a purpose as it is), by <paramref name="by"/>. A call that changes nothing writes
    /// nothing. Two first-time writers racing on one customer: the loser re-reads the winner's row and applies its own
    /// change on top, so neither purpose's answer is lost.
    /// </summary>
    public async Task<EffectiveConsent> SetAsync(Guid customerId, bool? transactional, bool? marketing, string by, CancellationToken ct)
    {
        var actor = by.Length > CommunicationDbContext.MaxActorLength ? by[..CommunicationDbContext.MaxActorLength] : by;
        for (var attempt = 1; ; attempt++)
        {
            var row = await db.Consents.FirstOrDefaultAsync(c => c.CustomerId == customerId, ct);
            var current = row is null
                ? (options.Value.TransactionalByDefault, options.Value.MarketingByDefault)
                : (row.Transactional, row.Marketing);
            var wanted = (transactional ?? current.Item1, marketing ?? current.Item2);
            if (row is not null && wanted == current)
            {
                return Of(row, changed: false);
            }

            row ??= db.Consents.Add(new ConsentRecord { CustomerId = customerId, UpdatedBy = actor }).Entity;
            // PostgreSQL keeps microseconds: the answer must show the time a later read returns.
            var now = time.GetUtcNow();
            (row.Transactional, row.Marketing, row.UpdatedAt, row.UpdatedBy) = (wanted.Item1, wanted.Item2, now.AddTicks(-(now.Ticks % 10)), actor);
            try
            {
                await db.SaveChangesAsync(ct);
                return Of(row, changed: true);
            }
            catch (DbUpdateException e) when (attempt < 3 && DbErrors.IsWriteConflict(e))
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static EffectiveConsent Of(ConsentRecord row, bool changed) =>
        new(row.CustomerId, row.Transactional, row.Marketing, row.UpdatedAt, row.UpdatedBy, Recorded: true, changed);
}
