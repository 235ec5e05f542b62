using System.Text.Json;
using ClosedLoop.Feedback.Ingest;

namespace ClosedLoop.Feedback.Features;

/// <summary>Request bodies Swagger shows.</summary>
internal static class Examples
{
    public static readonly FeedbackInput Item = new(
        "web-survey",
        "resp-1001",
        "email",
        new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
        3,
        "Delivery was two weeks late.",
        new CustomerInput("c-42", "ada@example.com", "Ada", "EMEA", "enterprise", "en", 120000),
        new Dictionary<string, JsonElement> { ["product"] = JsonSerializer.SerializeToElement("shop"), ["orderId"] = JsonSerializer.SerializeToElement("A-77") });

    public static readonly FeedbackInput CommentOnly = new(
        "support-desk",
        "ticket-5521",
        "support",
        null,
        null,
        "The new invoice layout is much clearer, thanks!",
        new CustomerInput("c-77", null, null, "AMER", "smb", "en", null),
        null);
}
