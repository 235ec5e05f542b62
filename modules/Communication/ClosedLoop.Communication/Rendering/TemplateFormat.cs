namespace ClosedLoop.Communication.Rendering;

/// <summary>What a template produces: HTML bodies encode every expression's output, text bodies and subjects do not.</summary>
internal enum TemplateFormat
{
    Text,
    Html,
}
