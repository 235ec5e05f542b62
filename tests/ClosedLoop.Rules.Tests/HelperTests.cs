using System.Diagnostics;
using ClosedLoop.Rules.Helpers;

namespace ClosedLoop.Rules.Tests;

public sealed class HelperTests
{
    [Theory]
    [InlineData("The parcel was LATE!", "late", true)]
    [InlineData("chocolate", "late", false)]
    [InlineData("They refunded me", "refund*", true)]
    [InlineData("No refunds", "refund", false)]
    [InlineData("I want my money  back", "money back", false)]
    [InlineData("I want my money back.", "money back", true)]
    [InlineData("", "late", false)]
    public void ContainsWord_matches_whole_words_and_prefixes(string text, string word, bool expected) =>
        Assert.Equal(expected, Text.ContainsWord(text, word));

    [Fact]
    public void The_other_text_helpers_ignore_case_and_tolerate_null()
    {
        Assert.True(Text.ContainsAny("Chocolate", "LATE"));
        Assert.False(Text.ContainsAny(null, "x"));
        Assert.True(Text.In("emea", "NA", "EMEA"));
        Assert.False(Text.In(null, "EMEA"));
        Assert.True(Text.ContainsAllWords("late and broken", "broken", "late"));
        Assert.True(Text.IsBlank(" \t"));
        Assert.Equal(4, Text.WordCount("It's a bit-late"));
        Assert.True(Text.Matches("Order A-1234 delayed", @"\b[a-z]-\d{4}\b"));
    }

    [Fact]
    public void Matches_runs_without_backtracking_so_evil_patterns_stay_linear()
    {
        var text = new string('a', 50_000) + "c";
        var watch = Stopwatch.StartNew();

        Assert.False(Text.Matches(text, "(a+)+b"));

        Assert.True(watch.ElapsedMilliseconds < 2_000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void List_helpers_ignore_case()
    {
        Assert.True(Lists.ContainsAny(["Billing", "pricing"], "billing"));
        Assert.True(Lists.ContainsAll(["a", "b"], "B", "A"));
        Assert.False(Lists.ContainsAny(null, "x"));
        Assert.Equal("gold", Lists.Value(new Dictionary<string, string> { ["Plan"] = "gold" }, "plan"));
        Assert.Equal("", Lists.Value(new Dictionary<string, string>(), "plan"));
    }
}
