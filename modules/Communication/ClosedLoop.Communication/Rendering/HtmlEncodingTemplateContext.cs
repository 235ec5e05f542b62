using System.Net;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace ClosedLoop.Communication.Rendering;

/// <summary>
/// A context for HTML bodies: every expression's output is HTML-encoded on its way out, so a customer's
/// name or comment cannot inject markup; the template's own literal text is written as it stands.
/// </summary>
internal sealed class HtmlEncodingTemplateContext(ScriptObject builtins) : TemplateContext(builtins)
{
    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        var text = ObjectToString(textAsObject);
        return string.IsNullOrEmpty(text) ? this : Write(WebUtility.HtmlEncode(text));
    }
}
