using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Web;

namespace ClosedLoop.Feedback.Ingest;

/// <summary>A feedback item that passed validation, trimmed and normalised, with its content hash.</summary>
internal sealed record ValidFeedback(
    string Source,
    string? ExternalId,
    string Channel,
    DateTimeOffset SubmittedAt,
    int? Score,
    NpsCategory Category,
    string? Comment,
    ValidCustomer Customer,
    string? Attributes,
    string ContentHash)
{
    /// <summary>Set for a follow-up answer another module collected (<see cref="Contracts.IFeedbackIntake"/>): linked, never routed to a case or loop.</summary>
    public FollowUpLink? FollowUp { get; init; }
}

/// <summary>The case and loop instance a follow-up answer belongs to.</summary>
internal sealed record FollowUpLink(Guid CaseId, Guid LoopInstanceId);

internal sealed record ValidCustomer(string ExternalId, string? Email, string? Name, string? Region, string? Segment, string? Language, decimal? AccountValue);

internal static partial class FeedbackValidator
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    public const int MaxAttributes = 50;
    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ValidFeedback? Validate(FeedbackInput input, DateTimeOffset now, FieldErrors errors)
    {
        var source = Text(input.Source);
        var externalId = Text(input.ExternalId);
        var channel = Channels.Normalize(input.Channel);
        errors.When(source is null, "source", "source is required.")
            .When(source?.Length > 100, "source", "source must be at most 100 characters.")
            .When(externalId?.Length > 200, "externalId", "externalId must be at most 200 characters.")
            .When(channel is null, "channel", $"channel must be one of: {string.Join(", ", Channels.Known)}.")
            .When(input.Score is < 0 or > 10, "score", "score must be between 0 and 10.")
            .When(input.Score is null && string.IsNullOrWhiteSpace(input.Comment), "score", "score or comment is required.")
            .When(input.Comment?.Length > FeedbackItem.MaxCommentLength, "comment", $"comment must be at most {FeedbackItem.MaxCommentLength} characters.")
            .When(input.SubmittedAt > now + ClockSkew, "submittedAt", "submittedAt must not be in the future.")
            .When(input.SubmittedAt < Earliest, "submittedAt", "submittedAt must be after 2000-01-01.");

        var customer = ValidateCustomer(input.Customer, errors);
        var attributes = ValidateAttributes(input.Attributes, errors);
        if (!errors.IsEmpty)
        {
            return null;
        }

        var comment = string.IsNullOrWhiteSpace(input.Comment) ? null : input.Comment;
        return new ValidFeedback(
            source!,
            externalId,
            channel!,
            (input.SubmittedAt ?? now).ToUniversalTime(),
            input.Score,
            Nps.Classify(input.Score),
            comment,
            customer!,
            attributes,
            Hash(source!, externalId, channel!, input.SubmittedAt?.ToUniversalTime(), input.Score, comment, customer!, attributes));
    }

    private static ValidCustomer? ValidateCustomer(CustomerInput? customer, FieldErrors errors)
    {
        if (customer is null)
        {
            errors.Add("customer", "customer is required (at least its externalId).");
            return null;
        }

        var externalId = Text(customer.ExternalId);
        var email = Text(customer.Email);
        var language = Text(customer.Language);
        errors.When(externalId is null, "customer.externalId", "customer.externalId is required.")
            .When(externalId?.Length > 200, "customer.externalId", "customer.externalId must be at most 200 characters.")
            .When(email is not null && !IsEmail(email), "customer.email", "customer.email is not a valid e-mail address.")
            .When(Text(customer.Name)?.Length > 200, "customer.name", "customer.name must be at most 200 characters.")
            .When(Text(customer.Region)?.Length > 50, "customer.region", "customer.region must be at most 50 characters.")
            .When(Text(customer.Segment)?.Length > 50, "customer.segment", "customer.segment must be at most 50 characters.")
            .When(language is not null && !LanguageTag().IsMatch(language), "customer.language", "customer.language must be a BCP 47 tag such as en or pt-BR.")
            .When(customer.AccountValue is < 0 or > 1_000_000_000_000m, "customer.accountValue", "customer.accountValue must be between 0 and 1,000,000,000,000.");
        return externalId is null ? null : new ValidCustomer(
            externalId, email, Text(customer.Name), Text(customer.Region), Text(customer.Segment), language, customer.AccountValue);
    }

    private static string? ValidateAttributes(Dictionary<string, JsonElement>? attributes, FieldErrors errors)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return null;
        }

        errors.When(attributes.Count > MaxAttributes, "attributes", $"attributes may hold at most {MaxAttributes} entries.");
        foreach (var (key, value) in attributes)
        {
            errors.When(key.Length is 0 or > 100, "attributes", "attribute names must be 1–100 characters.")
                .When(value.ValueKind is JsonValueKind.Object or JsonValueKind.Array, $"attributes.{key}", "attribute values must be strings, numbers, booleans or null.")
                .When(value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 2000, $"attributes.{key}", "attribute values must be at most 2000 characters.");
        }

        // Sorted, so the same attributes always hash the same.
        var sorted = new SortedDictionary<string, JsonElement>(attributes, StringComparer.Ordinal);
        return JsonSerializer.Serialize(sorted);
    }

    private static string Hash(string source, string? externalId, string channel, DateTimeOffset? submittedAt, int? score, string? comment, ValidCustomer customer, string? attributes)
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            source, externalId, channel, submittedAt?.UtcTicks, score, comment,
            customer.ExternalId, customer.Email, customer.Name, customer.Region, customer.Segment, customer.Language, customer.AccountValue, attributes,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool IsEmail(string value) =>
        value.Length <= 320 && System.Net.Mail.MailAddress.TryCreate(value, out var address) && address.Address == value && EmailShape().IsMatch(value);

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s.]+$")]
    private static partial Regex EmailShape();

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguageTag();
}
