using System.Text.RegularExpressions;

namespace ClosedLoop.Rules.Validation;

/// <summary>
/// A first, friendly pass over an expression's text for constructs that are never allowed, so the admin reads
/// "GetType() is not allowed" rather than a parser error. String literals are ignored. The tree screen
/// (<see cref="TreeScreen"/>) is what actually keeps expressions in bounds; this pass only explains.
/// </summary>
internal static partial class TextScreen
{
    private static readonly (Regex Pattern, string Reason)[] Forbidden =
    [
        (GetTypeCall(), "GetType() is not allowed: expressions cannot inspect types"),
        (TypeOf(), "typeof is not allowed: expressions cannot inspect types"),
        (Word("Assembly"), "Assembly is not allowed: expressions cannot load or inspect code"),
        (Word("Reflection"), "reflection is not allowed"),
        (SystemIo(), "System.IO is not allowed: expressions cannot touch files"),
        (Word("File"), "File is not allowed: expressions cannot touch files"),
        (Word("Directory"), "Directory is not allowed: expressions cannot touch files"),
        (Word("Environment"), "Environment is not allowed: expressions cannot read the environment"),
        (Word("Process"), "Process is not allowed: expressions cannot start or inspect processes"),
        (Word("Activator"), "Activator is not allowed: expressions cannot create arbitrary objects"),
        (Word("AppDomain"), "AppDomain is not allowed"),
        (TypeMember(), "Type members are not allowed: expressions cannot inspect types"),
        (Word("Invoke"), "Invoke is not allowed: expressions cannot call delegates"),
    ];

    /// <summary>The reason <paramref name="expression"/> is refused, or null when this pass sees nothing.</summary>
    public static string? Check(string expression)
    {
        var code = WithoutLiterals(expression);
        return Forbidden.FirstOrDefault(f => f.Pattern.IsMatch(code)).Reason;
    }

    /// <summary>Replaces string and character literals by empty ones so their words do not count.</summary>
    internal static string WithoutLiterals(string expression) => Literal().Replace(expression, m => m.Value[0] == '"' ? "\"\"" : "''");

    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'
        """)]
    private static partial Regex Literal();

    [GeneratedRegex(@"\bGetType\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex GetTypeCall();

    [GeneratedRegex(@"\btypeof\b", RegexOptions.IgnoreCase)]
    private static partial Regex TypeOf();

    [GeneratedRegex(@"\bSystem\s*\.\s*IO\b", RegexOptions.IgnoreCase)]
    private static partial Regex SystemIo();

    [GeneratedRegex(@"(?<![\w.])Type\s*\.", RegexOptions.IgnoreCase)]
    private static partial Regex TypeMember();

    private static Regex Word(string word) => new($@"(?<![\w]){word}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
