namespace ClosedLoop.Communication.Rendering;

/// <summary>
/// The bounds every render runs within. An admin writes the templates, so a template is trusted not to be
/// malicious on purpose, but a mistake (an endless loop, a runaway string) must fail fast, not hang a dispatcher.
/// </summary>
internal sealed record TemplateLimits
{
    public static TemplateLimits Default { get; } = new();

    /// <summary>Loop iterations across one nested iteration tree.</summary>
    public int LoopLimit { get; init; } = 1_000;

    /// <summary>Depth of nested function calls.</summary>
    public int RecursiveLimit { get; init; } = 20;

    /// <summary>Characters one value may turn into when converted to a string.</summary>
    public int StringLimit { get; init; } = 20_000;

    /// <summary>Characters one render may produce.</summary>
    public int OutputLimit { get; init; } = 200_000;

    /// <summary>Characters a template's source may hold.</summary>
    public int SourceLimit { get; init; } = 100_000;

    /// <summary>Wall-clock time one render may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
}
