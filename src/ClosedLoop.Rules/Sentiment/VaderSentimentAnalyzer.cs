namespace ClosedLoop.Rules.Sentiment;

/// <summary>
/// Lexicon- and rule-based sentiment after VADER (Hutto &amp; Gilbert, 2014), written for ClosedLoop: word
/// valences from the VADER lexicon (plus our feedback supplement), adjusted for negation ("not good"), boosters
/// and dampeners ("very", "slightly"), ALL-CAPS emphasis, a contrastive "but" (the clause after it weighs
/// more), "!" and "?" emphasis, a few idioms, then normalised to a compound score in [−1, 1] with α = 15.
/// Offline, allocation-light and deterministic. Emoji are not interpreted.
/// </summary>
internal sealed class VaderSentimentAnalyzer : ISentimentAnalyzer
{
    private const double BoostIncrement = 0.293;
    private const double BoostDecrement = -0.293;
    private const double CapsIncrement = 0.733;
    private const double NegationScalar = -0.74;
    private const double Alpha = 15;
    private const double Threshold = 0.05;

    private static readonly Lazy<VaderSentimentAnalyzer> Shared = new(() => new VaderSentimentAnalyzer(Lexicon.Load(withSupplement: true)));

    private readonly IReadOnlyDictionary<string, double> _lexicon;

    public VaderSentimentAnalyzer(IReadOnlyDictionary<string, double> lexicon) => _lexicon = lexicon;

    /// <summary>The analyser with the VADER lexicon and ClosedLoop's feedback supplement.</summary>
    public static VaderSentimentAnalyzer Default => Shared.Value;

    public SentimentResult Analyze(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return SentimentResult.Neutral;
        }

        var words = Tokens(text);
        var lower = words.Select(w => w.ToLowerInvariant()).ToArray();
        var capsDiffer = CapsDiffer(words);
        var valences = new double[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            var isKindOf = lower[i] == "kind" && i + 1 < words.Length && lower[i + 1] == "of";
            if (!VaderWords.Boosters.ContainsKey(lower[i]) && !isKindOf)
            {
                valences[i] = Valence(words, lower, i, capsDiffer);
            }
        }

        ApplyBut(lower, valences);
        var sum = valences.Sum();
        var emphasis = PunctuationEmphasis(text);
        sum += sum > 0 ? emphasis : sum < 0 ? -emphasis : 0;
        var compound = Math.Clamp(sum / Math.Sqrt((sum * sum) + Alpha), -1, 1);
        compound = Math.Round(compound, 4);
        var label = compound >= Threshold ? SentimentLabels.Positive : compound <= -Threshold ? SentimentLabels.Negative : SentimentLabels.Neutral;
        return new SentimentResult(label, compound);
    }

    /// <summary>White-space tokens with surrounding punctuation removed (emoticons, two characters or less, kept as they are).</summary>
    internal static string[] Tokens(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.Trim(VaderWords.Punctuation) is { Length: > 2 } stripped ? stripped : t)
            .Where(t => t.Length > 1)
            .ToArray();

    private double Valence(string[] words, string[] lower, int i, bool capsDiffer)
    {
        if (!_lexicon.TryGetValue(lower[i], out var valence))
        {
            return 0;
        }

        // "no" before a sentiment word negates it rather than counting as a word of its own.
        if (lower[i] == "no" && i + 1 < words.Length && _lexicon.ContainsKey(lower[i + 1]))
        {
            valence = 0;
        }

        if ((i > 0 && lower[i - 1] == "no") || (i > 1 && lower[i - 2] == "no") || (i > 2 && lower[i - 3] == "no" && lower[i - 1] is "or" or "nor"))
        {
            valence = _lexicon[lower[i]] * NegationScalar;
        }

        if (capsDiffer && IsUpper(words[i]))
        {
            valence += valence > 0 ? CapsIncrement : -CapsIncrement;
        }

        for (var back = 0; back < 3 && i > back; back++)
        {
            var before = i - (back + 1);
            if (_lexicon.ContainsKey(lower[before]))
            {
                continue;
            }

            var boost = Booster(words[before], lower[before], valence, capsDiffer);
            valence += back switch { 1 => boost * 0.95, 2 => boost * 0.9, _ => boost };
            valence = Negation(valence, lower, back, i);
            if (back == 2)
            {
                valence = Idioms(valence, lower, i);
            }
        }

        return Least(valence, lower, i);
    }

    private static double Booster(string word, string lower, double valence, bool capsDiffer)
    {
        if (!VaderWords.Boosters.TryGetValue(lower, out var scalar))
        {
            return 0;
        }

        scalar = scalar > 0 ? BoostIncrement : BoostDecrement;
        if (valence < 0)
        {
            scalar = -scalar;
        }

        if (capsDiffer && IsUpper(word))
        {
            scalar += valence > 0 ? CapsIncrement : -CapsIncrement;
        }

        return scalar;
    }

    private static double Negation(double valence, string[] lower, int back, int i) => back switch
    {
        0 when VaderWords.IsNegation(lower[i - 1]) => valence * NegationScalar,
        1 when lower[i - 2] == "never" && lower[i - 1] is "so" or "this" => valence * 1.25,
        1 when lower[i - 2] == "without" && lower[i - 1] == "doubt" => valence,
        1 when VaderWords.IsNegation(lower[i - 2]) => valence * NegationScalar,
        2 when lower[i - 3] == "never" && (lower[i - 2] is "so" or "this" || lower[i - 1] is "so" or "this") => valence * 1.25,
        2 when lower[i - 3] == "without" && (lower[i - 2] == "doubt" || lower[i - 1] == "doubt") => valence,
        2 when VaderWords.IsNegation(lower[i - 3]) => valence * NegationScalar,
        _ => valence,
    };

    /// <summary>Multi-word expressions ending at <paramref name="i"/> whose sentiment is not the sum of their words.</summary>
    private static double Idioms(double valence, string[] lower, int i)
    {
        string[] phrases =
        [
            $"{lower[i - 1]} {lower[i]}",
            $"{lower[i - 2]} {lower[i - 1]} {lower[i]}",
            $"{lower[i - 2]} {lower[i - 1]}",
            $"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}",
            $"{lower[i - 3]} {lower[i - 2]}",
        ];
        foreach (var phrase in phrases)
        {
            if (VaderWords.Idioms.TryGetValue(phrase, out var idiom))
            {
                valence = idiom;
                break;
            }
        }

        if (i + 1 < lower.Length && VaderWords.Idioms.TryGetValue($"{lower[i]} {lower[i + 1]}", out var ahead))
        {
            valence = ahead;
        }

        if (i + 2 < lower.Length && VaderWords.Idioms.TryGetValue($"{lower[i]} {lower[i + 1]} {lower[i + 2]}", out var further))
        {
            valence = further;
        }

        // Multi-word dampeners such as "sort of" before the word.
        if (VaderWords.Boosters.TryGetValue($"{lower[i - 2]} {lower[i - 1]}", out var phraseBoost))
        {
            valence += phraseBoost;
        }

        return valence;
    }

    /// <summary>"least happy" is not happy; "at least happy" and "very least" are.</summary>
    private double Least(double valence, string[] lower, int i)
    {
        if (i > 1 && !_lexicon.ContainsKey(lower[i - 1]) && lower[i - 1] == "least")
        {
            return lower[i - 2] is "at" or "very" ? valence : valence * NegationScalar;
        }

        return i > 0 && !_lexicon.ContainsKey(lower[i - 1]) && lower[i - 1] == "least" ? valence * NegationScalar : valence;
    }

    /// <summary>After a contrastive "but" the opinion that follows dominates: before it ×0.5, after it ×1.5.</summary>
    private static void ApplyBut(string[] lower, double[] valences)
    {
        var but = Array.IndexOf(lower, "but");
        if (but < 0)
        {
            return;
        }

        for (var i = 0; i < valences.Length; i++)
        {
            valences[i] *= i < but ? 0.5 : i > but ? 1.5 : 1;
        }
    }

    private static double PunctuationEmphasis(string text)
    {
        var exclamations = Math.Min(text.Count(c => c == '!'), 4) * 0.292;
        var questions = text.Count(c => c == '?');
        return exclamations + (questions <= 1 ? 0 : questions <= 3 ? questions * 0.18 : 0.96);
    }

    /// <summary>ALL-CAPS only means emphasis when some words are not in caps.</summary>
    private static bool CapsDiffer(string[] words)
    {
        var upper = words.Count(IsUpper);
        return upper > 0 && upper < words.Length;
    }

    private static bool IsUpper(string word) => word.Any(char.IsLetter) && !word.Any(char.IsLower);
}
