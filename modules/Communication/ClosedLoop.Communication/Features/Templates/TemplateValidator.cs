using ClosedLoop.Communication.Rendering;
using ClosedLoop.Communication.Templates;

namespace ClosedLoop.Communication.Features.Templates;

/// <summary>One reason a template is refused: where (language, part, line, column) and why.</summary>
internal sealed record TemplateProblem(string Language, string Part, int Line, int Column, string Message)
{
    /// <summary>The problem's field in a validation problem's <c>errors</c>: <c>languages.de.html</c>.</summary>
    public string Field => Part.Length == 0 ? $"languages.{Language}" : $"languages.{Language}.{Part}";
}

/// <summary>
/// Checks a template before it is stored: English present, language tags well formed, every part parses, uses no
/// removed function, and renders against the sample model within the limits.
/// </summary>
internal sealed class TemplateValidator(TemplateRenderer renderer, SampleModel sample)
{
    public const int MaxLanguages = 20;

    public IReadOnlyList<TemplateProblem> Validate(IReadOnlyDictionary<string, TemplateParts>? languages, CancellationToken cancellationToken)
    {
        var problems = new List<TemplateProblem>();
        if (languages is null || languages.Count == 0)
        {
            problems.Add(new TemplateProblem(TemplateLanguages.Fallback, "", 1, 1, "languages is required: at least 'en' with a subject, an html and a text body."));
            return problems;
        }

        if (!languages.ContainsKey(TemplateLanguages.Fallback))
        {
            problems.Add(new TemplateProblem(TemplateLanguages.Fallback, "", 1, 1, "Every template has an 'en' version, the one customers fall back to."));
        }

        if (languages.Count > MaxLanguages)
        {
            problems.Add(new TemplateProblem(TemplateLanguages.Fallback, "", 1, 1, $"A template has at most {MaxLanguages} languages."));
            return problems;
        }

        var model = sample.Create();
        foreach (var (language, parts) in languages)
        {
            if (!TemplateSeeds.LanguagePattern().IsMatch(language))
            {
                problems.Add(new TemplateProblem(language, "", 1, 1, $"'{language}' is not a language tag such as en, de or pt-BR."));
                continue;
            }

            Check(problems, language, "subject", parts?.Subject, TemplateFormat.Text, model, cancellationToken);
            Check(problems, language, "html", parts?.Html, TemplateFormat.Html, model, cancellationToken);
            Check(problems, language, "text", parts?.Text, TemplateFormat.Text, model, cancellationToken);
        }

        return problems;
    }

    private void Check(List<TemplateProblem> problems, string language, string part, string? source, TemplateFormat format, Scriban.Runtime.ScriptObject model, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            problems.Add(new TemplateProblem(language, part, 1, 1, $"The {part} is required."));
            return;
        }

        try
        {
            renderer.Render(source, model, format, cancellationToken);
        }
        catch (TemplateException e)
        {
            problems.AddRange(e.Errors.Select(error => new TemplateProblem(language, part, error.Line, error.Column, error.Message)));
        }
    }
}
