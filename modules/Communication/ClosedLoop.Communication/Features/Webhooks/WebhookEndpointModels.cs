using ClosedLoop.Communication.Data;
using ClosedLoop.Web;

namespace ClosedLoop.Communication.Features.Webhooks;

/// <summary>A new webhook endpoint.</summary>
/// <param name="Name">Unique, at most 100 characters.</param>
/// <param name="Url">An absolute http(s) URL on a public address.</param>
/// <param name="Events">Template keys of the internal notifications it receives, or <c>*</c> for all of them.</param>
/// <param name="Secret">A <c>whsec_</c> signing secret to use; one is generated when absent.</param>
internal sealed record WebhookEndpointCreateRequest(string? Name, string? Url, string[]? Events, string? Secret);

/// <summary>A change to an endpoint: only the fields given change.</summary>
internal sealed record WebhookEndpointUpdateRequest(string? Name, string? Url, string[]? Events, bool? Enabled);

/// <summary>An endpoint as listed and read: never its secret.</summary>
internal sealed record WebhookEndpointResponse(Guid Id, string Name, string Url, IReadOnlyList<string> Events, bool Enabled, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static WebhookEndpointResponse Of(WebhookEndpointRecord e) =>
        new(e.Id, e.Name, e.Url, e.Events.Split(',', StringSplitOptions.RemoveEmptyEntries), e.Enabled, e.CreatedAt, e.CreatedBy);
}

/// <summary>A created endpoint with its signing secret: the only time the secret is shown.</summary>
internal sealed record WebhookEndpointCreated(Guid Id, string Name, string Url, IReadOnlyList<string> Events, bool Enabled, DateTimeOffset CreatedAt, string CreatedBy, string Secret)
    : IAuditTarget
{
    string IAuditTarget.AuditTarget => Id.ToString();
}
