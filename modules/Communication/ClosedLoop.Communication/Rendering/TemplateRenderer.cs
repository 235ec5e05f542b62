using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace ClosedLoop.Communication.Rendering;

/// <summary>
/// Parses Scriban templates once (cached by the hash of their source) and renders them within
/// <see cref="TemplateLimits"/>, one fresh <see cref="TemplateContext"/> per render, with the builtins that
/// reach outside the template removed.
/// </summary>
internal sealed class TemplateRenderer(TemplateLimits limits)
{
    private const int CacheCapacity = 2_048;

    private readonly ConcurrentDictionary<string, Template> cache = new(StringComparer.Ordinal);

    public TemplateRenderer()
        : this(TemplateLimits.Default)
    {
    }

    public TemplateLimits Limits { get; } = limits;

    /// <summary>How many parsed templates are held; a test reads it to see a second render reuse the first parse.</summary>
    public int CachedCount => cache.Count;

    /// <summary>Parse errors and uses of removed functions, each with its line and column; empty when the source is fine.</summary>
    public IReadOnlyList<TemplateError> Check(string source)
    {
        try
        {
            Parse(source);
            return [];
        }
        catch (TemplateException e)
        {
            return e.Errors;
        }
    }

    public string Render(string source, ScriptObject model, TemplateFormat format, CancellationToken cancellationToken = default)
    {
        using var deadline = StartDeadline(cancellationToken);
        return Render(source, model, format, deadline, cancellationToken);
    }

    /// <summary>The render timeout, started now: one for a single render, or one shared by the parts of a message.</summary>
    public CancellationTokenSource StartDeadline(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Limits.Timeout);
        return timeout;
    }

    /// <summary>Renders within a deadline from <see cref="StartDeadline"/>.</summary>
    public string Render(string source, ScriptObject model, TemplateFormat format, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(deadline);
        var template = Parse(source);
        var context = NewContext(format, deadline.Token);
        context.PushGlobal(model);

        // Assignments land in this scope, so a template never changes a model another render may share.
        context.PushGlobal(new ScriptObject());
        try
        {
            return template.Render(context);
        }
        catch (ScriptRuntimeException e) when (deadline.IsCancellationRequested)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw Error(e, $"Rendering took longer than {Limits.Timeout.TotalMilliseconds:0} ms.");
        }
        catch (ScriptRuntimeException e)
        {
            throw Error(e, e.OriginalMessage);
        }
    }

    private Template Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length > Limits.SourceLimit)
        {
            throw new TemplateException([new TemplateError($"A template holds at most {Limits.SourceLimit} characters.", 1, 1)]);
        }

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        if (cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var template = Template.Parse(source);
        var errors = template.HasErrors
            ? template.Messages.Select(m => new TemplateError(m.Message, m.Span.Start.Line + 1, m.Span.Start.Column + 1)).ToList()
            : Unclosed(source) is { } unclosed ? [unclosed]
            : template.Page is null ? [] : RemovedFunctions.FindIn(template.Page);
        if (errors.Count > 0)
        {
            throw new TemplateException(errors);
        }

        if (cache.Count >= CacheCapacity)
        {
            // Templates change rarely; a full cache means churn (previews of drafts), so start over rather than track age.
            cache.Clear();
        }

        return cache.GetOrAdd(key, template);
    }

    /// <summary>
    /// Scriban lets the last code block run to the end of the text without its <c>}}</c>; an admin who left one open
    /// meant something else, so the save says where it opened.
    /// </summary>
    private static TemplateError? Unclosed(string source)
    {
        Scriban.Parsing.Token? open = null;
        foreach (var token in new Scriban.Parsing.Lexer(source))
        {
            open = token.Type switch
            {
                Scriban.Parsing.TokenType.CodeEnter => token,
                Scriban.Parsing.TokenType.CodeExit => null,
                _ => open,
            };
        }

        return open is { } start ? new TemplateError("This code block is opened with {{ and never closed with }}.", start.Start.Line + 1, start.Start.Column + 1) : null;
    }

    private TemplateContext NewContext(TemplateFormat format, CancellationToken cancellationToken)
    {
        var builtins = SafeBuiltins();
        var context = format == TemplateFormat.Html ? new HtmlEncodingTemplateContext(builtins) : new TemplateContext(builtins);
        context.StrictVariables = true;
        context.EnableRelaxedMemberAccess = false;
        context.EnableRelaxedTargetAccess = false;
        context.EnableRelaxedFunctionAccess = false;
        context.LoopLimit = Limits.LoopLimit;
        context.RecursiveLimit = Limits.RecursiveLimit;
        context.LimitToString = Limits.StringLimit;
        context.OnStringLimit = Scriban.ScriptLimitBehavior.Throw;
        context.OutputLimit = Limits.OutputLimit;
        context.OnOutputLimit = Scriban.ScriptLimitBehavior.Throw;
        context.TemplateLoader = null;
        context.CancellationToken = cancellationToken;
        return context;
    }

    /// <summary>
    /// The builtins without the removed functions, built once and frozen: every context shares them (a template's
    /// assignments land in its own scope, and a write to a builtin object fails as to any read-only object), so a
    /// render does not pay for a deep copy of Scriban's default builtins as <c>new TemplateContext()</c> does.
    /// </summary>
    private static readonly Lazy<ScriptObject> Builtins = new(() =>
    {
        var builtins = TemplateContext.GetDefaultBuiltinObject();
        foreach (var name in RemovedFunctions.TopLevel)
        {
            builtins.Remove(name);
        }

        if (builtins.TryGetValue("object", out var functions) && functions is ScriptObject objectFunctions)
        {
            foreach (var name in RemovedFunctions.OfObject)
            {
                objectFunctions.Remove(name);
            }
        }

        Freeze(builtins);
        return builtins;
    });

    private static ScriptObject SafeBuiltins() => Builtins.Value;

    private static void Freeze(ScriptObject scriptObject)
    {
        foreach (var value in scriptObject.Values)
        {
            if (value is ScriptObject inner && !inner.IsReadOnly)
            {
                Freeze(inner);
            }
        }

        scriptObject.IsReadOnly = true;
    }

    private static TemplateException Error(ScriptRuntimeException e, string message) =>
        new([new TemplateError(message, e.Span.Start.Line + 1, e.Span.Start.Column + 1)]);
}
