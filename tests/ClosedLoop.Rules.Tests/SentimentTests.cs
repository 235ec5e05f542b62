using ClosedLoop.Rules.Sentiment;

namespace ClosedLoop.Rules.Tests;

public sealed class SentimentTests(ITestOutputHelper output)
{
    private static readonly VaderSentimentAnalyzer Analyzer = VaderSentimentAnalyzer.Default;
    private static readonly VaderSentimentAnalyzer VaderOnly = new(Lexicon.Load(withSupplement: false));

    /// <summary>Measured on the 161 comments: 78.9% (VADER lexicon alone: 70.2%); the bar sits one comment under it. See docs/decisions/0013-sentiment.md.</summary>
    [Fact]
    public void Agrees_with_human_labels_on_realistic_NPS_comments()
    {
        var sample = Labelled();
        var agreement = Agreement(Analyzer, sample, report: true);
        var vaderOnly = Agreement(VaderOnly, sample, report: false);
        output.WriteLine($"agreement with the feedback supplement: {agreement:P1}; VADER lexicon alone: {vaderOnly:P1}; n = {sample.Count}");

        Assert.True(sample.Count >= 150, "the labelled sample must have at least 150 comments");
        Assert.True(agreement >= 0.78, $"agreement {agreement:P1} fell below the measured 78.9% (less one comment)");
        Assert.True(agreement >= vaderOnly, "the supplement must not make agreement worse");
    }

    [Theory]
    [InlineData("The support was good.", "positive")]
    [InlineData("The support was not good.", "negative")]
    [InlineData("The delivery wasn't bad at all.", "positive")]
    [InlineData("Never had a problem.", "positive")]
    [InlineData("", "neutral")]
    [InlineData("Order 12345 shipped on Monday.", "neutral")]
    public void Labels_follow_negation(string comment, string label) => Assert.Equal(label, Analyzer.Analyze(comment).Label);

    [Fact]
    public void Boosters_intensify_and_dampeners_soften()
    {
        var plain = Analyzer.Analyze("The service was good.").Score;
        Assert.True(Analyzer.Analyze("The service was very good.").Score > plain);
        Assert.True(Analyzer.Analyze("The service was extremely good.").Score > plain);
        Assert.True(Analyzer.Analyze("The service was slightly good.").Score < plain);
        Assert.True(Analyzer.Analyze("The delivery was very bad.").Score < Analyzer.Analyze("The delivery was bad.").Score);
    }

    [Fact]
    public void All_caps_emphasis_counts_only_among_lower_case_words()
    {
        Assert.True(Analyzer.Analyze("The delivery was TERRIBLE.").Score < Analyzer.Analyze("The delivery was terrible.").Score);
        Assert.Equal(Analyzer.Analyze("terrible delivery").Score, Analyzer.Analyze("TERRIBLE DELIVERY").Score);
    }

    [Fact]
    public void The_clause_after_but_dominates()
    {
        Assert.Equal("negative", Analyzer.Analyze("The product is good but the support was awful.").Label);
        Assert.Equal("positive", Analyzer.Analyze("The delivery was bad but the product is excellent.").Label);
    }

    [Fact]
    public void Exclamation_marks_add_emphasis_up_to_a_limit()
    {
        var one = Analyzer.Analyze("Great service!").Score;
        Assert.True(Analyzer.Analyze("Great service!!!").Score > one);
        Assert.Equal(Analyzer.Analyze("Great service!!!!").Score, Analyzer.Analyze("Great service!!!!!!!!").Score);
    }

    [Fact]
    public void Compound_stays_within_bounds()
    {
        var gushing = string.Join(' ', Enumerable.Repeat("amazing wonderful excellent perfect", 100));
        var furious = string.Join(' ', Enumerable.Repeat("horrible awful terrible worst", 100));
        Assert.InRange(Analyzer.Analyze(gushing).Score, 0.99, 1);
        Assert.InRange(Analyzer.Analyze(furious).Score, -1, -0.99);
    }

    private double Agreement(VaderSentimentAnalyzer analyzer, IReadOnlyList<(string Label, string Comment)> sample, bool report)
    {
        var hits = 0;
        foreach (var (label, comment) in sample)
        {
            var result = analyzer.Analyze(comment);
            if (result.Label == label)
            {
                hits++;
            }
            else if (report)
            {
                output.WriteLine($"human {label,-8} analyser {result.Label,-8} {result.Score,6:0.000}  {comment}");
            }
        }

        return (double)hits / sample.Count;
    }

    private static List<(string Label, string Comment)> Labelled() =>
        [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "sentiment-labelled.tsv"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split('\t', 2))
            .Select(f => (f[0], f[1]))];
}
