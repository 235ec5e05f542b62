using System.Runtime.CompilerServices;
using ClosedLoop.Communication.Data;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// Signals the dispatcher when a save that added a due message commits, so nobody who writes messages has to
/// remember to. What is pending is kept per context instance; a context disposed mid-transaction at worst causes one
/// spare wake-up.
/// </summary>
/// <remarks>
/// Without an SMTP relay the worker claims webhooks only (<see cref="MessageClaimer"/>): an email written then is no
/// reason to wake it, and would only cost an empty claim per message.
/// </remarks>
internal sealed class MessageWriteHook(DeliverySignal signal, IOptions<SmtpOptions> smtp) : CommitHook
{
    private readonly bool _emailDeliverable = smtp.Value.IsConfigured;

    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    public override void Saving(DbContext context)
    {
        if (context is CommunicationDbContext db
            && db.ChangeTracker.Entries<MessageRecord>().Any(e => e.Entity.Status is MessageStatus.Pending or MessageStatus.Retrying
                && e.State is EntityState.Added or EntityState.Modified
                && (_emailDeliverable || e.Entity.Channel != MessageChannel.Email)))
        {
            _pending.AddOrUpdate(db, this);
        }
    }

    public override void Committed(DbContext context)
    {
        if (_pending.Remove(context))
        {
            signal.Notify();
        }
    }

    public override void RolledBack(DbContext context) => _pending.Remove(context);
}
