using System.Text.Json;

namespace ClosedLoop.Feedback.Ingest;

/// <summary>One piece of feedback as a survey tool, a support desk or an export sends it.</summary>
/// <param name="Source">Where it comes from, e.g. "web-survey" (required, ≤ 100). With <paramref name="ExternalId"/> it makes ingest idempotent.</param>
/// <param name="ExternalId">The sender's id for this response (≤ 200). A repeat of (source, externalId) returns the original id.</param>
/// <param name="Channel">email, web, in-app, sms, phone, chat, social, support, survey, kiosk, review or other (required).</param>
/// <param name="SubmittedAt">When the customer answered (UTC; default: now). At most 5 minutes in the future.</param>
/// <param name="Score">0–10, optional (comment-only feedback is normal).</param>
/// <param name="Comment">Free text up to 10,000 characters, stored exactly as sent. One of score or comment is required.</param>
/// <param name="Customer">Who answered; <c>externalId</c> is required.</param>
/// <param name="Attributes">Extra fields (≤ 50, scalar values), e.g. product or order id.</param>
internal sealed record FeedbackInput(
    string? Source,
    string? ExternalId,
    string? Channel,
    DateTimeOffset? SubmittedAt,
    int? Score,
    string? Comment,
    CustomerInput? Customer,
    Dictionary<string, JsonElement>? Attributes);

/// <summary>The customer who gave the feedback; the latest submission's attributes win, earlier ones are kept as history.</summary>
/// <param name="ExternalId">Your id for the customer (required, ≤ 200).</param>
/// <param name="Email">A valid e-mail address (≤ 320).</param>
/// <param name="Name">Display name (≤ 200).</param>
/// <param name="Region">e.g. EMEA (≤ 50).</param>
/// <param name="Segment">e.g. enterprise (≤ 50).</param>
/// <param name="Language">BCP 47 tag, e.g. en or pt-BR.</param>
/// <param name="AccountValue">Yearly account value, ≥ 0.</param>
internal sealed record CustomerInput(
    string? ExternalId,
    string? Email,
    string? Name,
    string? Region,
    string? Segment,
    string? Language,
    decimal? AccountValue);
