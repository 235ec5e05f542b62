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

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_case_without_topics_has_none(string? joined) => Assert.Empty(CaseTopic.Split(joined));
}
