using System.Reflection;
using Scriban.Runtime;

namespace ClosedLoop.Bench.Messages;

/// <summary>
/// The Communication module's renderer, as messages use it (subject, HTML, text of one template), reached by name:
/// a module shows its internals only to its own tests, and a benchmark is not one. The lookups happen once; a call
/// costs one <see cref="MethodInfo.Invoke(object?, object?[])"/>, a fraction of a microsecond against renders of tens.
/// </summary>
internal sealed class ProductRenderer
{
    private static readonly Assembly Module = typeof(ClosedLoop.Communication.CommunicationModule).Assembly;
    private readonly object renderer = Activator.CreateInstance(Type("Rendering.TemplateRenderer"))!;
    private readonly MethodInfo render = Type("Rendering.MessageTemplateRendering").GetMethod("Render", BindingFlags.Public | BindingFlags.Static)
        ?? throw new MissingMethodException("MessageTemplateRendering.Render");

    /// <summary>A message template (the module's <c>MessageTemplate</c>) of three sources.</summary>
    public static object Template(string subject, string html, string text) =>
        Activator.CreateInstance(Type("Rendering.MessageTemplate"), subject, html, text)!;

    /// <summary>A model built the module's way (plain data only) from JSON.</summary>
    public static ScriptObject Model(string json) =>
        (ScriptObject)Type("Rendering.TemplateModel").GetMethod("FromJson", BindingFlags.Public | BindingFlags.Static, [typeof(string)])!.Invoke(null, [json])!;

    public object Render(object template, ScriptObject model) => render.Invoke(null, [renderer, template, model, CancellationToken.None])!;

    private static Type Type(string name) =>
        Module.GetType("ClosedLoop.Communication." + name, throwOnError: true)!;
}
