using System.Text.Json.Nodes;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.Communication.Templates;

namespace ClosedLoop.Communication.Tests;

public sealed class SeedTemplateTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "templates");

    private static readonly string[] Expected =
    [
        "customer-acknowledgement", "resolution", "survey-invitation", "promoter-thank-you", "referral-ask", "passive-nurture",
        "improvement-announcement", "case-assigned", "escalation-notice", "sla-breach-warning", "weekly-team-digest",
    ];

    private readonly TemplateRenderer renderer = new();

    public static TheoryData<string, string> Every()
    {
        var data = new TheoryData<string, string>();
        foreach (var seed in TemplateSeeds.Read(Directory))
        {
            foreach (var language in seed.Languages.Keys)
            {
                data.Add(seed.Key, language);
            }
        }

        return data;
    }

    [Fact]
    public void Every_template_the_issue_names_is_seeded_in_english_and_german()
    {
        var seeds = TemplateSeeds.Read(Directory);

        Assert.Equal(Expected.Order(StringComparer.Ordinal), seeds.Select(s => s.Key));
        Assert.All(seeds, s => Assert.Equal(["de", "en"], s.Languages.Keys));
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void Every_seed_renders_against_the_sample_model(string key, string language)
    {
        var template = TemplateSeeds.Read(Directory).Single(s => s.Key == key).Languages[language];
        var model = TemplateModel.FromJson(TemplateSeeds.ReadSampleModel(Directory));

        var message = renderer.Render(template, model);

        Assert.False(string.IsNullOrWhiteSpace(message.Subject));
        Assert.DoesNotContain("{{", message.Subject + message.Html + message.Text, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", message.Html, StringComparison.Ordinal);
        Assert.Contains($"<html lang=\"{language}\">", message.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<", message.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void Every_seed_shows_injected_markup_escaped_in_html(string key, string language)
    {
        var template = TemplateSeeds.Read(Directory).Single(s => s.Key == key).Languages[language];
        var sample = JsonNode.Parse(TemplateSeeds.ReadSampleModel(Directory))!;
        sample["customer"]!["name"] = "<script>alert(1)</script>";
        sample["recipient"]!["name"] = "<script>alert(1)</script>";
        sample["feedback"]!["comment"] = "<img src=x onerror=alert(1)>";

        var message = renderer.Render(template, TemplateModel.FromJson(sample.ToJsonString()));

        Assert.DoesNotContain("<script", message.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", message.Html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_resolution_message_says_what_went_wrong_and_what_changed()
    {
        var template = TemplateSeeds.Read(Directory).Single(s => s.Key == "resolution").Languages["en"];
        var model = TemplateModel.FromJson(TemplateSeeds.ReadSampleModel(Directory));

        var message = renderer.Render(template, model);

        Assert.Equal("Here's what we changed, Ada Lovelace", message.Subject);
        Assert.Contains("Our courier in the region was overbooked", message.Text, StringComparison.Ordinal);
        Assert.Contains("We moved deliveries in your region to a second courier", message.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_lists_every_template()
    {
        var readme = File.ReadAllText(Path.Combine(Directory, "README.md"));

        Assert.All(Expected, key => Assert.Contains($"`{key}`", readme, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("de", "de")]
    [InlineData("de-AT", "de")]
    [InlineData("DE", "de")]
    [InlineData("fr", "en")]
    [InlineData(null, "en")]
    [InlineData("", "en")]
    public void A_customer_reads_their_language_or_english(string? preferred, string chosen)
    {
        Assert.Equal(chosen, TemplateLanguages.Choose(["de", "en"], preferred));
    }
}
