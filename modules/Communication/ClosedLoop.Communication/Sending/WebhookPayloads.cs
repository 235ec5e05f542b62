using System.Text.Json;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Rendering;

namespace ClosedLoop.Communication.Sending;

/// <summary>
/// Webhook bodies in the Standard Webhooks shape: <c>type</c>, <c>timestamp</c> and <c>data</c>. The body is fixed
/// when the message is written, so every attempt sends (and signs) the same bytes.
/// </summary>
internal static class WebhookPayloads
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Notification(MessageRecord message, string templateKey, MessageSubject subject, RenderedMessage rendered, DateTimeOffset now) =>
        JsonSerializer.Serialize(
            new
            {
                type = "notification." + templateKey,
                timestamp = now.UtcDateTime,
                data = new
                {
                    messageId = message.Id,
                    template = templateKey,
                    caseId = subject.Case?.Id,
                    caseReference = subject.Case is null ? null : MessageModels.ReferenceOf(subject.Case.Id),
                    team = subject.Case?.Team,
                    level = subject.Case?.Level.ToString(),
                    priority = subject.Case?.Priority.ToString(),
                    subject = rendered.Subject,
                    text = rendered.Text,
                },
            },
            Json);
}
