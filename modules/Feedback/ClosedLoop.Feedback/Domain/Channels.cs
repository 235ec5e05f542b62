namespace ClosedLoop.Feedback.Domain;

/// <summary>Where feedback came from. Stored lower-case; anything else is rejected with this list.</summary>
internal static class Channels
{
    public static readonly IReadOnlyList<string> Known =
        ["email", "web", "in-app", "sms", "phone", "chat", "social", "support", "survey", "kiosk", "review", "other"];

    public static string? Normalize(string? channel)
    {
        var value = channel?.Trim().ToLowerInvariant();
        return value is not null && Known.Contains(value) ? value : null;
    }
}
