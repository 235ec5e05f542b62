using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Features.Templates;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.Feedback.Contracts;
using Microsoft.Extensions.Options;
using Scriban.Runtime;

namespace ClosedLoop.Communication.Sending;

/// <summary>What a message is about, from which its template model is built (plain data, as the sample model is shaped).</summary>
internal sealed record MessageSubject(
    CustomerContact? Customer,
    FeedbackSummary? Feedback,
    CaseSnapshot? Case,
    string? TeamName = null,
    string? EscalationReason = null,
    SlaTarget? SlaTarget = null,
    ImprovementModel? Improvement = null,
    RecipientModel? Recipient = null,
    string? UnsubscribeUrl = null,
    IReadOnlyDictionary<string, string>? Extra = null,
    string? SurveyUrl = null);

/// <summary>An improvement as templates see it.</summary>
internal sealed record ImprovementModel(Guid Id, string Title, string Description, IReadOnlyList<string> Topics, DateOnly EffectiveDate);

/// <summary>A staff recipient as internal templates see it.</summary>
internal sealed record RecipientModel(string Name, string? Email, string? Team);

/// <summary>Builds template models: the documented shape (templates/README.md), null where a part does not apply.</summary>
internal sealed class MessageModels(IOptions<CommunicationOptions> options)
{
    private readonly CommunicationOptions settings = options.Value;

    /// <summary>A short reference people can read out on the phone: <c>C-</c> and the case id's first eight hex digits.</summary>
    public static string ReferenceOf(Guid caseId) => "C-" + caseId.ToString("N")[..8].ToUpperInvariant();

    public ScriptObject Create(MessageSubject subject)
    {
        var c = subject.Case;
        var customer = subject.Customer;
        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["customer"] = customer is null ? null : new Dictionary<string, object?>
            {
                ["id"] = customer.Id,
                ["externalId"] = customer.ExternalId,
                ["name"] = customer.Name,
                ["email"] = customer.Email,
                ["language"] = customer.Language,
                ["segment"] = customer.Segment,
                ["region"] = customer.Region,
            },
            ["feedback"] = subject.Feedback is not { } f ? null : new Dictionary<string, object?>
            {
                ["id"] = f.Id,
                ["source"] = f.Source,
                ["channel"] = f.Channel,
                ["submittedAt"] = Iso(f.SubmittedAt),
                ["score"] = f.Score,
                ["comment"] = f.Comment,
                ["topics"] = f.Topics,
            },
            ["supportCase"] = c is null ? null : new Dictionary<string, object?>
            {
                ["id"] = c.Id,
                ["reference"] = ReferenceOf(c.Id),
                ["status"] = c.Status.ToString(),
                ["priority"] = c.Priority.ToString(),
                ["level"] = c.Level.ToString(),
                ["escalationReason"] = subject.EscalationReason,
                ["team"] = subject.TeamName ?? c.Team,
                ["assignee"] = c.AssigneeName,
                ["openedAt"] = Iso(c.OpenedAt),
                ["firstResponseDueAt"] = Iso(c.FirstResponseDueAt),
                ["resolutionDueAt"] = Iso(c.ResolutionDueAt),
                ["slaTarget"] = subject.SlaTarget?.ToString(),
                ["rootCause"] = c.RootCause,
                ["customerSummary"] = c.CustomerSummary,
            },
            ["improvement"] = subject.Improvement is not { } i ? null : new Dictionary<string, object?>
            {
                ["id"] = i.Id,
                ["title"] = i.Title,
                ["description"] = i.Description,
                ["topics"] = i.Topics,
                ["effectiveDate"] = i.EffectiveDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            },
            ["company"] = new Dictionary<string, object?>
            {
                ["name"] = settings.Company.Name,
                ["supportEmail"] = settings.Company.SupportEmail,
                ["website"] = settings.Company.Website,
            },
            ["recipient"] = subject.Recipient is not { } r ? null : new Dictionary<string, object?>
            {
                ["name"] = r.Name,
                ["email"] = r.Email,
                ["team"] = r.Team,
            },
            ["digest"] = null,
            ["links"] = new Dictionary<string, object?>
            {
                ["case"] = Link(settings.Links.Case, subject),
                // A loop's survey step carries its own signed link; elsewhere the configured survey, if any.
                ["survey"] = subject.SurveyUrl ?? Link(settings.Links.Survey, subject),
                ["referral"] = Link(settings.Links.Referral, subject),
                ["unsubscribe"] = subject.UnsubscribeUrl,
                ["dashboard"] = Link(settings.Links.Dashboard, subject),
            },
            ["extra"] = subject.Extra?.ToDictionary(e => e.Key, e => (object?)e.Value, StringComparer.Ordinal) ?? new Dictionary<string, object?>(),
        };
        return TemplateModel.From(model);
    }

    private static string? Iso(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string? Link(string? pattern, MessageSubject subject)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return null;
        }

        return pattern
            .Replace("{caseId}", subject.Case?.Id.ToString() ?? "", StringComparison.Ordinal)
            .Replace("{customerId}", subject.Customer?.Id.ToString() ?? "", StringComparison.Ordinal)
            .Replace("{customerExternalId}", Uri.EscapeDataString(subject.Customer?.ExternalId ?? ""), StringComparison.Ordinal)
            .Replace("{team}", Uri.EscapeDataString(subject.Case?.Team ?? subject.Recipient?.Team ?? ""), StringComparison.Ordinal);
    }
}
