namespace ClosedLoop.Communication.Rendering;

/// <summary>One thing wrong with a template, at a 1-based line and column of its source.</summary>
internal sealed record TemplateError(string Message, int Line, int Column)
{
    public override string ToString() => $"({Line},{Column}): {Message}";
}

/// <summary>A template that did not parse or did not render; every error names its line and column.</summary>
internal sealed class TemplateException(IReadOnlyList<TemplateError> errors)
    : Exception(string.Join("; ", errors))
{
    public IReadOnlyList<TemplateError> Errors { get; } = errors;
}
