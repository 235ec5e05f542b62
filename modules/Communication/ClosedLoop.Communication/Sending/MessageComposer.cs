using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Features.Consent;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.Feedback.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Communication.Sending;

/// <summary>The message a composition wrote, or the one an earlier composition with the same key wrote.</summary>
internal sealed record ComposedMessage(MessageRecord Message, bool Duplicate);

/// <summary>
/// Writes messages into the outbox, on the caller's <see cref="CommunicationDbContext"/> and so in the caller's
/// transaction (the caller saves): rendered from the published template in the recipient's language, with a fixed
/// external id (<c>Message-ID</c> / <c>webhook-id</c>), a deduplication key, and, when it must not go out, as
/// suppressed with the reason. Nothing is sent here; the dispatcher delivers what is committed.
/// </summary>
internal sealed class MessageComposer(
    CommunicationDbContext db,
    TemplateRenderer renderer,
    MessageModels models,
    ConsentPolicy consent,
    UnsubscribeLinks unsubscribe,
    TimeProvider time,
    ILogger<MessageComposer> logger)
{
    public const string System = "system:communication";

    /// <summary>The message written earlier under <paramref name="dedupKey"/>, if any (also one added to this context but not yet saved).</summary>
    public async Task<MessageRecord?> FindAsync(string dedupKey, CancellationToken cancellationToken) =>
        db.Messages.Local.FirstOrDefault(m => m.DedupKey == dedupKey)
        ?? await db.Messages.FirstOrDefaultAsync(m => m.DedupKey == dedupKey, cancellationToken);

    /// <summary>
    /// A message to a customer. Throws <see cref="TemplateException"/> when the template does not render for this
    /// subject (the API answers 422); a customer that must not be written to gets a suppressed record without content.
    /// </summary>
    /// <remarks>
    /// <paramref name="suppression"/> gives the consent decision when the caller made it for a whole batch, having also
    /// checked that no message has the key yet (the unique key still refuses a second one); null decides and checks here.
    /// </remarks>
    public async Task<ComposedMessage> ToCustomerAsync(
        PublishedTemplate template,
        MessageSubject subject,
        string dedupKey,
        string by,
        Guid? improvementId,
        CancellationToken cancellationToken,
        Func<string?>? suppression = null)
    {
        var customer = subject.Customer ?? throw new ArgumentException("A customer message needs its customer.", nameof(subject));
        if (suppression is null && await FindAsync(dedupKey, cancellationToken) is { } existing)
        {
            return new ComposedMessage(existing, Duplicate: true);
        }

        var now = time.GetUtcNow();
        var purpose = MessageKinds.PurposeOf(template.Key);
        var reason = suppression is not null ? suppression() : await consent.SuppressionReasonAsync(db, customer, purpose, now, cancellationToken);
        var (language, parts) = template.For(customer.Language);
        var message = NewMessage(dedupKey, MessageChannel.Email, purpose, template, language, by, now);
        message.CustomerId = customer.Id;
        message.CaseId = subject.Case?.Id;
        message.ImprovementId = improvementId;
        if (reason is not null)
        {
            // Nothing personal is kept for a message that never goes out: only that it was not sent, and why.
            Suppress(message, reason);
        }
        else
        {
            var link = unsubscribe.CreateUrl(customer.Id, now);
            var rendered = renderer.Render(parts, models.Create(subject with { UnsubscribeUrl = link }), cancellationToken);
            message.RecipientAddress = customer.Email;
            message.RecipientName = customer.Name;
            message.UnsubscribeUrl = link;
            Fill(message, rendered);
        }

        db.Messages.Add(message);
        if (message.CaseId is null)
        {
            // Only a case's timeline listens; an announcement to 100,000 customers writes no event per customer.
            return new ComposedMessage(message, Duplicate: false);
        }

        db.Publish(new CustomerMessageQueuedIntegrationEvent(
            message.Id, message.CaseId, message.CustomerId, template.Key, message.Subject ?? template.Key, StatusName(message.Status), message.SuppressionReason, by));
        return new ComposedMessage(message, Duplicate: false);
    }

    /// <summary>
    /// An internal notification to one member of staff. A template that does not render is recorded as suppressed
    /// (<c>render-failed</c>, with the error) rather than lost: a case event must not be held up by a broken template.
    /// </summary>
    public async Task<ComposedMessage> ToStaffAsync(PublishedTemplate template, MessageSubject subject, string dedupKey, CancellationToken cancellationToken)
    {
        var recipient = subject.Recipient ?? throw new ArgumentException("An internal message needs its recipient.", nameof(subject));
        if (await FindAsync(dedupKey, cancellationToken) is { } existing)
        {
            return new ComposedMessage(existing, Duplicate: true);
        }

        var now = time.GetUtcNow();
        var (language, parts) = template.For(null);
        var message = NewMessage(dedupKey, MessageChannel.Email, MessagePurpose.Internal, template, language, System, now);
        message.CaseId = subject.Case?.Id;
        message.CustomerId = subject.Customer?.Id;
        message.RecipientName = recipient.Name;
        message.RecipientAddress = recipient.Email;
        if (string.IsNullOrWhiteSpace(recipient.Email))
        {
            Suppress(message, "no-address");
        }
        else if (TryRender(parts, subject, message, cancellationToken) is { } rendered)
        {
            Fill(message, rendered);
        }

        db.Messages.Add(message);
        return new ComposedMessage(message, Duplicate: false);
    }

    /// <summary>An internal notification to a webhook endpoint: the rendered subject and text with the facts, as JSON.</summary>
    public async Task<ComposedMessage> ToWebhookAsync(PublishedTemplate template, MessageSubject subject, WebhookEndpointRecord endpoint, string dedupKey, CancellationToken cancellationToken)
    {
        if (await FindAsync(dedupKey, cancellationToken) is { } existing)
        {
            return new ComposedMessage(existing, Duplicate: true);
        }

        var now = time.GetUtcNow();
        var (language, parts) = template.For(null);
        var message = NewMessage(dedupKey, MessageChannel.Webhook, MessagePurpose.Internal, template, language, System, now);
        message.CaseId = subject.Case?.Id;
        message.CustomerId = subject.Customer?.Id;
        message.WebhookEndpointId = endpoint.Id;
        message.RecipientAddress = endpoint.Url;
        message.RecipientName = endpoint.Name;
        if (TryRender(parts, subject, message, cancellationToken) is { } rendered)
        {
            message.Subject = Truncate(rendered.Subject, MessageRecord.MaxSubjectLength);
            message.TextBody = rendered.Text;
            message.Payload = WebhookPayloads.Notification(message, template.Key, subject, rendered, now);
        }

        db.Messages.Add(message);
        return new ComposedMessage(message, Duplicate: false);
    }

    public static string StatusName(MessageStatus status) => status switch
    {
        MessageStatus.DeadLettered => "deadLettered",
        _ => status.ToString().ToLowerInvariant(),
    };

    private RenderedMessage? TryRender(MessageTemplate parts, MessageSubject subject, MessageRecord message, CancellationToken cancellationToken)
    {
        try
        {
            return renderer.Render(parts, models.Create(subject), cancellationToken);
        }
        catch (TemplateException e)
        {
            logger.LogError("Template {Template} v{Version} did not render for {DedupKey}: {Error}", message.TemplateKey, message.TemplateVersion, message.DedupKey, e.Message);
            Suppress(message, "render-failed");
            message.LastError = Truncate(string.Join("; ", e.Errors.Select(x => $"line {x.Line}, column {x.Column}: {x.Message}")), MessageRecord.MaxErrorLength);
            return null;
        }
    }

    private static MessageRecord NewMessage(string dedupKey, MessageChannel channel, MessagePurpose purpose, PublishedTemplate template, string language, string by, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7();
        return new MessageRecord
        {
            Id = id,
            DedupKey = dedupKey,
            Channel = channel,
            Purpose = purpose,
            TemplateKey = template.Key,
            TemplateVersion = template.Version,
            Language = language,
            ExternalId = "msg_" + id.ToString("N"),
            Status = MessageStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
            CreatedBy = Truncate(by, CommunicationDbContext.MaxActorLength),
        };
    }

    private static void Suppress(MessageRecord message, string reason)
    {
        message.Status = MessageStatus.Suppressed;
        message.SuppressionReason = Truncate(reason, MessageRecord.MaxReasonLength);
    }

    private static void Fill(MessageRecord message, RenderedMessage rendered)
    {
        message.Subject = Truncate(rendered.Subject, MessageRecord.MaxSubjectLength);
        message.HtmlBody = rendered.Html;
        message.TextBody = rendered.Text;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
