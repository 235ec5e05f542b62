namespace ClosedLoop.Rules.Sentiment;

/// <summary>The sentiment of one text.</summary>
/// <param name="Label"><c>negative</c>, <c>neutral</c> or <c>positive</c> (see <see cref="SentimentLabels"/>).</param>
/// <param name="Score">Compound score from −1 (most negative) to 1 (most positive); within ±0.05 counts as neutral.</param>
public sealed record SentimentResult(string Label, double Score)
{
    /// <summary>The result for an empty text.</summary>
    public static SentimentResult Neutral { get; } = new(SentimentLabels.Neutral, 0);
}

/// <summary>The three sentiment labels, as rules see them in <c>feedback.Sentiment</c>.</summary>
public static class SentimentLabels
{
    /// <summary>Compound score at most −0.05.</summary>
    public const string Negative = "negative";

    /// <summary>Compound score between −0.05 and 0.05.</summary>
    public const string Neutral = "neutral";

    /// <summary>Compound score at least 0.05.</summary>
    public const string Positive = "positive";
}

/// <summary>Scores the sentiment of a comment, offline. Thread-safe; registered as a singleton by <c>AddRulesEngine</c>.</summary>
public interface ISentimentAnalyzer
{
    /// <summary>The sentiment of <paramref name="text"/> (neutral for null or empty text).</summary>
    SentimentResult Analyze(string? text);
}
