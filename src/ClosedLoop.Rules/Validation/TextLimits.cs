namespace ClosedLoop.Rules.Validation;

/// <summary>
/// Caps on the text a rule set carries (decision 0029). Names and messages are copied into every routed item's
/// explanation, so a long one costs storage on every item, not once; the rest is capped so that nothing an admin
/// saves is unbounded but the set's total size. Expressions have their own cap (<see cref="RuleEngineOptions.MaxExpressionLength"/>),
/// decision values theirs (200 characters).
/// </summary>
internal static class TextLimits
{
    /// <summary>Names: WorkflowName, RuleName, parameter and action names, Properties and Context keys, injected sets, JSON member names.</summary>
    public const int Name = 100;

    /// <summary>SuccessEvent, ErrorMessage, SuccessMessage: shown in explanations.</summary>
    public const int Message = 500;

    /// <summary>Anything else: notes in <c>x-</c> Properties and members outside RulesEngine's schema.</summary>
    public const int Note = 1_000;

    /// <summary>A rule's error or action error as an explanation records it (exception messages can quote the item).</summary>
    public const int RecordedError = 500;

    /// <summary>How a problem names a rule whose name is over the cap: its start, not the whole text again.</summary>
    public static string Label(string name) => name.Length <= Name ? name : name[..32] + "…";

    /// <summary>The problem for <paramref name="text"/> over <paramref name="limit"/>, or null when it fits.</summary>
    public static string? Check(string what, string text, int limit) =>
        text.Length <= limit ? null : $"{what} has {text.Length:N0} characters; at most {limit:N0} are allowed.";

    /// <summary><paramref name="text"/> cut to <paramref name="limit"/> characters, marked when cut.</summary>
    public static string? Cut(string? text, int limit) => text is null || text.Length <= limit ? text : text[..limit] + "…";
}
