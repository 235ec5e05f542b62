using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Persistence;
using ClosedLoop.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Workflows;

/// <summary>
/// Runs CallWebhook: writes one webhook message for the named endpoint into the outbox, deduplicated by the step's
/// key. The dispatcher delivers it like any webhook: signed (Standard Webhooks), SSRF-guarded, retried. The body is
/// <c>{type, timestamp, data: {instanceId, definitionId, activityId, caseId, at}}</c>.
/// </summary>
internal sealed partial class CallWebhookHandler(CommunicationDbContext db) : IActivityHandler
{
    public const string Type = "CallWebhook";

    /// <summary>The template key a loop's webhook message is listed under (it renders no template).</summary>
    public const string MessageTemplate = "loop-webhook";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ActivityType => Type;

    public async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.String("endpoint");
        var eventType = context.String("event");
        if (string.IsNullOrWhiteSpace(name))
        {
            return ActivityResult.Fault("CallWebhook needs the name of a webhook endpoint.");
        }

        if (eventType is null || !EventType().IsMatch(eventType))
        {
            return ActivityResult.Fault($"CallWebhook's event '{eventType}' is not an event type: letters, digits, '.', '-' or '_', up to 100 characters, e.g. loop.escalated.");
        }

        var dedupKey = StepOutputs.Key(context.StepKey, "webhook");
        if (await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.DedupKey == dedupKey, cancellationToken) is { } earlier)
        {
            return Done(earlier, duplicate: true);
        }

        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(w => w.Name == name, cancellationToken);
        if (endpoint is null)
        {
            return ActivityResult.Fault($"No webhook endpoint named '{name}'.");
        }

        if (!endpoint.Enabled)
        {
            return ActivityResult.Fault($"The webhook endpoint '{name}' is disabled; enable it and retry the step.");
        }

        var now = context.Now;
        var id = Guid.CreateVersion7();
        var message = new MessageRecord
        {
            Id = id,
            DedupKey = dedupKey,
            Channel = MessageChannel.Webhook,
            Purpose = MessagePurpose.Internal,
            TemplateKey = MessageTemplate,
            Language = "en",
            CaseId = context.CorrelationId,
            WebhookEndpointId = endpoint.Id,
            RecipientAddress = endpoint.Url,
            RecipientName = endpoint.Name,
            Subject = eventType,
            ExternalId = "msg_" + id.ToString("N"),
            Status = MessageStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
            CreatedBy = SendMessageHandler.By(context),
            Payload = JsonSerializer.Serialize(
                new
                {
                    type = eventType,
                    timestamp = now.UtcDateTime,
                    data = new
                    {
                        instanceId = context.InstanceId,
                        definitionId = context.DefinitionId,
                        activityId = context.Activity.Id,
                        caseId = context.CorrelationId,
                        at = now.UtcDateTime,
                    },
                },
                Json),
        };
        db.Messages.Add(message);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return Done(message, duplicate: false);
        }
        catch (DbUpdateException e) when (DbErrors.IsWriteConflict(e))
        {
            // The same step ran twice at once: the other run's message stands.
            db.ChangeTracker.Clear();
            var winner = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.DedupKey == dedupKey, cancellationToken);
            return winner is null ? throw new InvalidOperationException($"Message {dedupKey} was neither written nor found.", e) : Done(winner, duplicate: true);
        }
    }

    private static ActivityResult Done(MessageRecord message, bool duplicate) =>
        StepOutputs.Complete("Done", new { status = MessageComposer.StatusName(message.Status), messageId = message.Id, duplicate });

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex EventType();
}
