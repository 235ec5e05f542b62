using System.Text.Json;
using ClosedLoop.Communication.Data;

namespace ClosedLoop.Communication.Features.Templates;

/// <summary>A template in the list: its published version and languages.</summary>
internal sealed record TemplateSummary(string Key, int PublishedVersion, int LatestVersion, IReadOnlyList<string> Languages, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>One version of a template with every language's subject, HTML body and text body.</summary>
internal sealed record TemplateDetail(
    string Key,
    int Version,
    int PublishedVersion,
    int LatestVersion,
    TemplateOrigin Origin,
    string Author,
    DateTimeOffset CreatedAt,
    string? Comment,
    int? RolledBackFrom,
    string Sha256,
    IReadOnlyDictionary<string, TemplateParts> Languages)
{
    public static TemplateDetail Of(TemplateRecord template, TemplateVersionRecord version) => new(
        template.Key, version.Version, template.PublishedVersion, template.LatestVersion, version.Origin, version.Author,
        version.CreatedAt, version.Comment, version.RolledBackFrom, version.Sha256, TemplateContent.Deserialize(version.Content));
}

/// <summary>The answer to a save or rollback: whether a version was added, and what is published now.</summary>
internal sealed record TemplateChange(bool Changed, TemplateDetail Template);

/// <summary>One entry of a template's history.</summary>
internal sealed record TemplateVersionSummary(int Version, bool Published, string Author, DateTimeOffset CreatedAt, string? Comment, TemplateOrigin Origin, int? RolledBackFrom, string Sha256);

/// <summary>A save: every language's parts (English required), and why.</summary>
/// <param name="Languages">Language tag → subject, html and text, each a Scriban template.</param>
/// <param name="Comment">Why, for the history (at most 500 characters).</param>
internal sealed record TemplateSaveRequest(Dictionary<string, TemplateParts>? Languages, string? Comment);

/// <summary>A rollback: the version to publish again, and why.</summary>
internal sealed record TemplateRollbackRequest(int? Version, string? Comment);

/// <summary>A preview: which language, of the stored template (published or <c>version</c>) or of submitted <c>languages</c>, against the sample model or <c>model</c>.</summary>
/// <param name="Language">The reader's language; falls back as for a customer (its primary subtag, then en).</param>
/// <param name="Version">A stored version other than the published one.</param>
/// <param name="Languages">A draft to render instead of a stored version (validated as for PUT).</param>
/// <param name="Model">Plain JSON to render against instead of the sample model.</param>
/// <param name="CaseId">A real case to render against (its customer, feedback and case; the customer's language unless <c>language</c> is given), instead of the sample model.</param>
internal sealed record TemplatePreviewRequest(string? Language, int? Version, Dictionary<string, TemplateParts>? Languages, JsonElement? Model, Guid? CaseId = null);

/// <summary>A rendered preview: the language chosen, the subject, and both bodies.</summary>
internal sealed record TemplatePreview(string Key, int? Version, string Language, string Subject, string Html, string Text);

/// <summary>Where a template is refused, for the 422's <c>problems</c>.</summary>
internal sealed record TemplateProblemResponse(string Language, string Part, int Line, int Column, string Message);
