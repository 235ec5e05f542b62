using System.Text.RegularExpressions;
using ClosedLoop.Communication.Rendering;

namespace ClosedLoop.Communication.Templates;

/// <summary>One seed template from <c>templates/&lt;key&gt;/</c>: its languages, each a subject and two bodies.</summary>
internal sealed record TemplateSeed(string Key, IReadOnlyDictionary<string, MessageTemplate> Languages);

/// <summary>
/// Reads the seed templates: <c>templates/&lt;key&gt;/&lt;lang&gt;.subject.txt</c>, <c>&lt;lang&gt;.html</c> and
/// <c>&lt;lang&gt;.txt</c>, and the sample model every template must render against (<c>templates/sample-model.json</c>).
/// </summary>
internal static partial class TemplateSeeds
{
    public const string SampleModelFile = "sample-model.json";

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}[a-z0-9]$")]
    public static partial Regex KeyPattern();

    [GeneratedRegex("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
    public static partial Regex LanguagePattern();

    public static IReadOnlyList<TemplateSeed> Read(string directory)
    {
        var seeds = new List<TemplateSeed>();
        foreach (var folder in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            var key = Path.GetFileName(folder);
            if (!KeyPattern().IsMatch(key))
            {
                continue;
            }

            var languages = new SortedDictionary<string, MessageTemplate>(StringComparer.Ordinal);
            foreach (var subjectFile in Directory.EnumerateFiles(folder, "*.subject.txt"))
            {
                var language = Path.GetFileName(subjectFile)[..^".subject.txt".Length];
                if (!LanguagePattern().IsMatch(language))
                {
                    throw new InvalidDataException($"Template '{key}' has a file for '{language}', which is not a language tag.");
                }

                languages[language] = new MessageTemplate(
                    File.ReadAllText(subjectFile).Trim(),
                    ReadPart(folder, key, $"{language}.html"),
                    ReadPart(folder, key, $"{language}.txt"));
            }

            if (!languages.ContainsKey(TemplateLanguages.Fallback))
            {
                throw new InvalidDataException($"Template '{key}' has no '{TemplateLanguages.Fallback}' version to fall back to.");
            }

            seeds.Add(new TemplateSeed(key, languages));
        }

        return seeds;
    }

    public static string ReadSampleModel(string directory) => File.ReadAllText(Path.Combine(directory, SampleModelFile));

    private static string ReadPart(string folder, string key, string file)
    {
        var path = Path.Combine(folder, file);
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new InvalidDataException($"Template '{key}' lacks {file}: every language has a subject, an HTML body and a text body.");
    }
}
