using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClosedLoop.Communication.Rendering;

namespace ClosedLoop.Communication.Features.Templates;

/// <summary>A template's parts for one language, as the API and the store carry them.</summary>
internal sealed record TemplateParts(string? Subject, string? Html, string? Text)
{
    public MessageTemplate ToMessage() => new(Subject ?? "", Html ?? "", Text ?? "");
}

/// <summary>What one version of a template holds: each language's parts. Stored as canonical JSON so equal contents hash equally.</summary>
internal static class TemplateContent
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Serialize(IReadOnlyDictionary<string, TemplateParts> languages) =>
        JsonSerializer.Serialize(new SortedDictionary<string, TemplateParts>(languages.ToDictionary(), StringComparer.Ordinal), Json);

    public static IReadOnlyDictionary<string, TemplateParts> Deserialize(string content) =>
        JsonSerializer.Deserialize<SortedDictionary<string, TemplateParts>>(content, Json)
            ?? throw new InvalidDataException("A stored template version holds no languages.");

    public static string Sha256Of(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    public static string LanguagesOf(IReadOnlyDictionary<string, TemplateParts> languages) =>
        string.Join(',', languages.Keys.Order(StringComparer.Ordinal));
}
