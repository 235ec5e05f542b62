using System.Text.RegularExpressions;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Delivery;
using ClosedLoop.Web;

namespace ClosedLoop.Communication.Features.Webhooks;

/// <summary>The field rules of a webhook endpoint, shared by create and update.</summary>
internal static partial class WebhookEndpointValidation
{
    public const int MaxNameLength = 100;
    public const int MaxEvents = 50;
    public const string AllEvents = "*";
    private const int MaxEventsLength = 2000;

    public static void CheckName(string? name, FieldErrors errors) => errors.When(
        string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxNameLength,
        "name",
        $"name is required: at most {MaxNameLength} characters.");

    /// <summary>The events as stored (comma-separated, in the given order, without repeats), or null after an error.</summary>
    public static string? CheckEvents(string[]? events, FieldErrors errors)
    {
        if (events is not { Length: > 0 and <= MaxEvents })
        {
            errors.Add("events", $"events is required: 1 to {MaxEvents} template keys, or [\"*\"] for every internal notification.");
            return null;
        }

        var distinct = events.Select(e => e?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        var bad = distinct.FirstOrDefault(e => e != AllEvents && !TemplateKey().IsMatch(e));
        if (bad is not null)
        {
            errors.Add("events", $"'{bad}' is not a template key (lower-case letters, digits and '-', at most {CommunicationDbContext.MaxKeyLength}) or \"*\".");
            return null;
        }

        var joined = distinct.Contains(AllEvents) ? AllEvents : string.Join(',', distinct);
        if (joined.Length > MaxEventsLength)
        {
            errors.Add("events", $"events are at most {MaxEventsLength} characters together.");
            return null;
        }

        return joined;
    }

    public static void CheckSecret(string? secret, FieldErrors errors) => errors.When(
        secret is not null && !WebhookSignature.IsValidSecret(secret),
        "secret",
        $"secret must be '{WebhookSignature.SecretPrefix}' followed by the base64 of a {WebhookSignature.MinKeyBytes} to {WebhookSignature.MaxKeyBytes} byte key; leave it out to have one generated.");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateKey();
}
