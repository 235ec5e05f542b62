using Scriban.Syntax;

namespace ClosedLoop.Communication.Rendering;

/// <summary>
/// The builtins a template may not use: <c>include</c> reads other templates through a loader, and
/// <c>object.eval</c>/<c>object.eval_template</c> compile strings (possibly customer data) as code.
/// </summary>
internal static class RemovedFunctions
{
    public static readonly IReadOnlySet<string> TopLevel = new HashSet<string>(StringComparer.Ordinal) { "include", "include_join" };

    public static readonly IReadOnlySet<string> OfObject = new HashSet<string>(StringComparer.Ordinal) { "eval", "eval_template" };

    /// <summary>Where the parsed template names a removed function, so a save is refused before any render.</summary>
    public static IReadOnlyList<TemplateError> FindIn(ScriptNode page)
    {
        var finder = new Finder();
        finder.Visit(page);
        return finder.Errors;
    }

    private sealed class Finder : ScriptVisitor
    {
        public List<TemplateError> Errors { get; } = [];

        public override void Visit(ScriptVariableGlobal node)
        {
            if (TopLevel.Contains(node.Name))
            {
                Report(node, $"'{node.Name}' is not available in templates.");
            }

            base.Visit(node);
        }

        public override void Visit(ScriptMemberExpression node)
        {
            if (node.Target is ScriptVariable { Name: "object" } && node.Member is { } member && OfObject.Contains(member.Name))
            {
                Report(node, $"'object.{member.Name}' is not available in templates.");
            }

            base.Visit(node);
        }

        private void Report(ScriptNode node, string message) =>
            Errors.Add(new TemplateError(message, node.Span.Start.Line + 1, node.Span.Start.Column + 1));
    }
}
