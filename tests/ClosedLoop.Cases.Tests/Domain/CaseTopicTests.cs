using ClosedLoop.Cases.Domain;

namespace ClosedLoop.Cases.Tests.Domain;

/// <summary>
/// A case's topics as stored and filtered on, and as a list reads them back joined in one column: no stored topic
/// can hold the separator, so splitting gives back exactly the topics that were stored.
/// </summary>
public sealed class CaseTopicTests
{
    [Theory]
    [InlineData("Delivery", "delivery")]
    [InlineData("  Product-Quality ", "product-quality")]
    [InlineData("bill\u001fing", "billing")]
    [InlineData("\tsupport\r\n", "support")]
    [InlineData("\u001f", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void A_topic_is_kept_in_lower_case_without_control_characters_or_blanks_around_it(string? topic, string? stored) =>
        Assert.Equal(stored, CaseTopic.Normalize(topic));

    [Fact]
    public void A_long_topic_is_cut_to_the_column_length()
    {
        var stored = CaseTopic.Normalize(new string('a', CaseTopic.MaxLength + 20));

        Assert.Equal(new string('a', CaseTopic.MaxLength), stored);
    }

    [Fact]
    public void Topics_joined_by_the_database_split_back_in_ordinal_order()
    {
        string[] stored = [.. new[] { "Zoning", "billing", "a\u001fb", "Ärger", "product-quality" }.Select(CaseTopic.Normalize).OfType<string>()];
        var joined = string.Join(CaseTopic.Separator, stored.Reverse());

        Assert.Equal(stored.Order(StringComparer.Ordinal), CaseTopic.Split(joined));
        Assert.Equal(["ab", "billing", "product-quality", "zoning", "ärger"], CaseTopic.Split(joined));
    }

    [Fact]
    public void A_case_keeps_its_decisions_first_distinct_topics_up_to_the_limit_whose_join_fits_sql_servers_string_agg()
    {
        // Two spellings of each of 40 topics of the column's full length, in the decision's order.
        var decided = Enumerable.Range(0, 40).SelectMany(i => new[] { $"{i:00}" + new string('t', 200), $" {i:00}" + new string('T', 98) + "\n" });

        var kept = CaseTopic.Of(decided).ToList();

        Assert.Equal(CaseTopic.MaxPerCase, kept.Count);
        Assert.Equal(Enumerable.Range(0, CaseTopic.MaxPerCase).Select(i => $"{i:00}" + new string('t', 98)), kept);
        Assert.True(string.Join(CaseTopic.Separator, kept).Length <= 4_000);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_case_without_topics_has_none(string? joined) => Assert.Empty(CaseTopic.Split(joined));
}
