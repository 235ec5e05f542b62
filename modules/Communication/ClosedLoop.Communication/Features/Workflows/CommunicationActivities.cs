using ClosedLoop.Communication.Data;
using ClosedLoop.Workflows.Definitions;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Workflows;

/// <summary>
/// The loop steps that talk to people, as the Communication module declares them to the workflow engine: their
/// inputs and ports, for validation and diagrams. Template keys and webhook endpoints a loop names are checked
/// against this module's store.
/// </summary>
internal static class CommunicationActivities
{
    public const string TemplateReference = "template";
    public const string WebhookEndpointReference = "webhookEndpoint";

    public static IReadOnlyList<ActivityDescriptor> All { get; } =
    [
        new("SendMessage", "Sends a templated message: to the case's customer (consent applies), its assignee, its team, or the members of its management or executive level.",
            [
                new("template", InputType.String, true, "A template key, e.g. resolution.", ReferenceKind: TemplateReference),
                new("to", InputType.Enum, false, "Who receives it; default customer.", ["customer", "assignee", "team", "management", "executive"]),
                new("onceWithin", InputType.TimeSpan, false, "Customer only: send nothing when the customer got this template (queued or sent) within this time, e.g. 90.00:00:00."),
            ], ["Done"], ActivityKind.Normal),
        new("SendSurvey", "Sends the follow-up survey and waits for the answer: a signed link whose answer is recorded as new feedback on the case and the loop (Answered), until it expires (Expired; at once when the invitation is suppressed).",
            [
                new("template", InputType.String, false, "The invitation's template; default survey-invitation.", ReferenceKind: TemplateReference),
                new("expiresAfter", InputType.TimeSpan, false, "How long the link answers; default 30 days."),
            ], ["Answered", "Expired"], ActivityKind.Wait),
        new("CallWebhook", "Posts a signed event to a configured webhook endpoint (SSRF-guarded, retried like any message).",
            [
                new("endpoint", InputType.String, true, "The webhook endpoint's name.", ReferenceKind: WebhookEndpointReference),
                new("event", InputType.String, true, "The event type the receiver sees, e.g. loop.escalated."),
            ], ["Done"], ActivityKind.Normal),
    ];
}

/// <summary>A loop may only name templates that exist.</summary>
internal sealed class TemplateDefinitionCheck(CommunicationDbContext db) : IDefinitionReferenceCheck
{
    public string Kind => CommunicationActivities.TemplateReference;

    public Task<bool> ExistsAsync(string value, CancellationToken ct) => db.Templates.AsNoTracking().AnyAsync(t => t.Key == value, ct);
}

/// <summary>A loop may only call webhook endpoints that are configured.</summary>
internal sealed class WebhookEndpointDefinitionCheck(CommunicationDbContext db) : IDefinitionReferenceCheck
{
    public string Kind => CommunicationActivities.WebhookEndpointReference;

    public Task<bool> ExistsAsync(string value, CancellationToken ct) => db.WebhookEndpoints.AsNoTracking().AnyAsync(w => w.Name == value, ct);
}
