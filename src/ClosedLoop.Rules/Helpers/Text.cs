using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace ClosedLoop.Rules.Helpers;

/// <summary>
/// Text tests for rule expressions, registered for every input: <c>Text.ContainsWord(feedback.Comment, "late", "refund*")</c>.
/// All comparisons ignore case; null counts as empty. Each is linear in the text (regexes are time-boxed).
/// </summary>
public static class Text
{
    private const int MaxCachedPatterns = 1_000;
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(50);

    // The non-backtracking engine is linear in the input, but builds its automaton lazily during the first
    // matches: on a busy host that alone can take longer than 50 ms. Its timeout is only a safety net; the item's
    // evaluation budget bounds the wait anyway.
    private static readonly TimeSpan LinearRegexTimeout = TimeSpan.FromSeconds(1);
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="text"/> contains any of <paramref name="terms"/> anywhere (substring).</summary>
    public static bool ContainsAny(string? text, params string[] terms) =>
        !string.IsNullOrEmpty(text) && terms.Any(t => !string.IsNullOrEmpty(t) && text.Contains(t, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// True when <paramref name="text"/> contains any of <paramref name="words"/> as whole words or phrases
    /// ("late" matches "was late!" but not "chocolate"). A trailing <c>*</c> matches any ending: <c>refund*</c>
    /// matches "refund", "refunds", "refunded".
    /// </summary>
    public static bool ContainsWord(string? text, params string[] words) =>
        !string.IsNullOrEmpty(text) && words.Any(w => ContainsWord(text, w));

    /// <summary>True when <paramref name="text"/> contains every one of <paramref name="words"/> (whole words, as <see cref="ContainsWord(string?, string[])"/>).</summary>
    public static bool ContainsAllWords(string? text, params string[] words) =>
        !string.IsNullOrEmpty(text) && words.All(w => ContainsWord(text, w));

    /// <summary>
    /// True when the case-insensitive regular expression <paramref name="pattern"/> matches. Patterns run without
    /// backtracking where .NET allows it (1 s safety timeout), otherwise under a 50 ms timeout; a timeout is the rule's error.
    /// </summary>
    public static bool Matches(string? text, string pattern) => Pattern(pattern).IsMatch(text ?? "");

    /// <summary>True when <paramref name="value"/> equals any of <paramref name="values"/>, ignoring case.</summary>
    public static bool In(string? value, params string[] values) =>
        values.Any(v => string.Equals(v, value ?? "", StringComparison.OrdinalIgnoreCase));

    /// <summary>True when <paramref name="text"/> is empty or only white space.</summary>
    public static bool IsBlank(string? text) => string.IsNullOrWhiteSpace(text);

    /// <summary>Number of words (runs of letters or digits; "it's" is one) in <paramref name="text"/>.</summary>
    public static int WordCount(string? text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text ?? "")
        {
            var letter = char.IsLetterOrDigit(c) || (inWord && c is '\'' or '\u2019');
            count += letter && !inWord ? 1 : 0;
            inWord = letter;
        }

        return count;
    }

    /// <summary>Compiles <paramref name="pattern"/> as <see cref="Matches"/> would; throws <see cref="ArgumentException"/> when it is not valid.</summary>
    internal static Regex Pattern(string pattern)
    {
        if (Patterns.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, LinearRegexTimeout);
        }
        catch (NotSupportedException)
        {
            // Backreferences and lookarounds need the backtracking engine; the timeout still bounds it.
            regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
        }

        if (Patterns.Count >= MaxCachedPatterns)
        {
            Patterns.Clear();
        }

        return Patterns.GetOrAdd(pattern, regex);
    }

    private static bool ContainsWord(string text, string word)
    {
        var prefix = word.EndsWith('*');
        var term = prefix ? word[..^1] : word;
        if (term.Length == 0)
        {
            return false;
        }

        for (var at = text.IndexOf(term, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(term, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + term.Length;
            var startsWord = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var endsWord = prefix || end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (startsWord && endsWord)
            {
                return true;
            }
        }

        return false;
    }
}
