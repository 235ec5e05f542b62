using ClosedLoop.Communication.Data;
using MimeKit;

namespace ClosedLoop.Communication.Delivery;

/// <summary>Builds the MIME message of one email row: the same bytes on every attempt, apart from transport headers.</summary>
internal static class EmailComposer
{
    public static MimeMessage Compose(MessageRecord message, SmtpOptions smtp)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(smtp.FromName, smtp.FromAddress));
        mime.To.Add(new MailboxAddress(message.RecipientName, message.RecipientAddress ?? throw new DeliveryFailedException("The message has no recipient address.")));
        mime.Subject = message.Subject ?? "";
        mime.MessageId = MessageIds.For(message.ExternalId, smtp.IdDomain);

        // The time it was written, not of this attempt: a resend is then byte-for-byte the message the receiver has.
        mime.Date = message.CreatedAt;
        if (!string.IsNullOrEmpty(message.UnsubscribeUrl))
        {
            // RFC 8058: one-click unsubscribe, which the large mailbox providers require of bulk senders.
            mime.Headers.Add("List-Unsubscribe", $"<{message.UnsubscribeUrl}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        mime.Body = body.ToMessageBody();
        return mime;
    }
}
