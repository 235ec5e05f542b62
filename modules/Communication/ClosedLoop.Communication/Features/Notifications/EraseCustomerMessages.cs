using ClosedLoop.Communication.Data;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Messaging;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Notifications;

/// <summary>
/// Erasure: an erased customer's messages lose everything personal (address, name, subject, bodies, link), those not
/// yet sent (staff notifications about them included) are suppressed (<c>customer-erased</c>) so nothing more reaches them, and their consent record goes.
/// What stays is that a message of a template existed and what became of it, for the counts.
/// </summary>
internal sealed class EraseCustomerMessages(CommunicationDbContext db, TimeProvider time) : IIntegrationEventHandler<CustomerErasedIntegrationEvent>
{
    public const string Reason = "customer-erased";

    public async Task HandleAsync(CustomerErasedIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var customer = integrationEvent.CustomerId;
        var now = time.GetUtcNow();
        await db.Messages
            .Where(m => m.CustomerId == customer && (m.Status == MessageStatus.Pending || m.Status == MessageStatus.Retrying || m.Status == MessageStatus.DeadLettered))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Suppressed).SetProperty(m => m.SuppressionReason, Reason).SetProperty(m => m.LockedUntil, now), cancellationToken);
        await db.Messages
            .Where(m => m.CustomerId == customer && m.Purpose != MessagePurpose.Internal)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.RecipientAddress, (string?)null).SetProperty(m => m.RecipientName, (string?)null).SetProperty(m => m.UnsubscribeUrl, (string?)null), cancellationToken);

        // Staff notifications about their case quoted the customer too: the recipient stays, the content goes.
        await db.Messages
            .Where(m => m.CustomerId == customer)
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.Subject, (string?)null)
                    .SetProperty(m => m.HtmlBody, (string?)null)
                    .SetProperty(m => m.TextBody, (string?)null)
                    .SetProperty(m => m.Payload, (string?)null),
                cancellationToken);
        await db.Consents.Where(c => c.CustomerId == customer).ExecuteDeleteAsync(cancellationToken);
    }
}
