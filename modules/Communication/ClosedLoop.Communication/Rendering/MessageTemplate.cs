using Scriban.Runtime;

namespace ClosedLoop.Communication.Rendering;

/// <summary>One language of a message template: a subject and two bodies, each a Scriban template.</summary>
internal sealed record MessageTemplate(string Subject, string Html, string Text);

/// <summary>A message as it goes out: the subject and text rendered plain, the HTML body with every expression encoded.</summary>
internal sealed record RenderedMessage(string Subject, string Html, string Text);

internal static class MessageTemplateRendering
{
    public static RenderedMessage Render(this TemplateRenderer renderer, MessageTemplate template, ScriptObject model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(template);

        // One deadline for the message's three parts: the timeout bounds what one message costs.
        using var deadline = renderer.StartDeadline(cancellationToken);

        // A subject is one header line: a line break in customer data must not start a second header.
        var subject = renderer.Render(template.Subject, model, TemplateFormat.Text, deadline, cancellationToken);
        return new RenderedMessage(
            string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            renderer.Render(template.Html, model, TemplateFormat.Html, deadline, cancellationToken),
            renderer.Render(template.Text, model, TemplateFormat.Text, deadline, cancellationToken));
    }
}
