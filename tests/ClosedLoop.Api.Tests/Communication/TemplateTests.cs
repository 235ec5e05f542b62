using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication;

/// <summary>
/// The message-template store through its admin API: seeds imported, saves validated (422 naming line and
/// column), versions immutable, rollback as a new version, If-Match, previews escaped, admin only.
/// </summary>
public abstract class TemplateTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private const string Base = "/api/v1/templates";

    private static readonly string[] Seeded =
    [
        "case-assigned", "customer-acknowledgement", "escalation-notice", "improvement-announcement", "passive-nurture",
        "promoter-thank-you", "resolution", "sla-breach-warning", "survey-invitation", "weekly-team-digest",
    ];

    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task The_seed_templates_are_imported_as_version_1_in_english_and_german()
    {
        var list = JsonDocument.Parse(await _admin.GetStringAsync($"{Base}?pageSize=100")).RootElement.GetProperty("items").EnumerateArray().ToList();

        var seeds = list.Where(t => Seeded.Contains(t.GetProperty("key").GetString())).ToList();
        Assert.Equal(Seeded, seeds.Select(t => t.GetProperty("key").GetString()));
        Assert.All(seeds, t => Assert.Equal(["de", "en"], t.GetProperty("languages").EnumerateArray().Select(l => l.GetString())));
        var resolution = JsonDocument.Parse(await _admin.GetStringAsync($"{Base}/resolution?version=1")).RootElement;
        Assert.Equal(("seed", "system"), (resolution.GetProperty("origin").GetString(), resolution.GetProperty("author").GetString()));
        Assert.Contains("supportCase.customerSummary", resolution.GetProperty("languages").GetProperty("en").GetProperty("html").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_becomes_a_new_version_guarded_by_if_match_and_a_rollback_republishes_an_old_one()
    {
        var key = NewKey();
        var created = await _admin.PutAsJsonAsync($"{Base}/{key}", Save("Hello {{ customer.name }}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);

        var second = await PutAsync(key, Save("Hi {{ customer.name }}", "friendlier"), ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var stale = await PutAsync(key, Save("Hey {{ customer.name }}"), ifMatch: "\"1\"");
        var problem = await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, problem.GetProperty("publishedVersion").GetInt32());
        var same = JsonDocument.Parse(await (await PutAsync(key, Save("Hi {{ customer.name }}"))).Content.ReadAsStringAsync()).RootElement;
        Assert.False(same.GetProperty("changed").GetBoolean());

        var rollback = await _admin.PostAsJsonAsync($"{Base}/{key}/rollback", new { version = 1 });
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        var current = await _admin.GetAsync($"{Base}/{key}");
        var detail = JsonDocument.Parse(await current.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("\"3\"", current.Headers.ETag?.Tag);
        Assert.Equal((3, "rollback", 1), (detail.GetProperty("version").GetInt32(), detail.GetProperty("origin").GetString(), detail.GetProperty("rolledBackFrom").GetInt32()));
        Assert.Equal("Hello {{ customer.name }}", detail.GetProperty("languages").GetProperty("en").GetProperty("subject").GetString());

        var versions = JsonDocument.Parse(await _admin.GetStringAsync($"{Base}/{key}/versions")).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([3, 2, 1], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal(["rollback", "put", "put"], versions.Select(v => v.GetProperty("origin").GetString()));
        Assert.Equal("friendlier", versions[1].GetProperty("comment").GetString());
        Assert.True(versions[0].GetProperty("published").GetBoolean());
    }

    [Fact]
    public async Task A_save_that_does_not_render_against_the_sample_model_is_a_422_naming_line_and_column()
    {
        var key = NewKey();
        var response = await _admin.PutAsJsonAsync($"{Base}/{key}", Save("Hi", html: "<p>Hello</p>\n<p>{{ customer.nmae }}</p>"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["languages.en.html"], problem.ErrorFields());
        var where = Assert.Single(problem.GetProperty("problems").EnumerateArray().ToList());
        Assert.Equal((2, 16), (where.GetProperty("line").GetInt32(), where.GetProperty("column").GetInt32()));
        await (await _admin.GetAsync($"{Base}/{key}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{{ include 'resolution' }}", "include")]
    [InlineData("{{ object.eval 'customer.name' }}", "object.eval")]
    [InlineData("{{ if customer.name }}never closed", "")]
    [InlineData("{{ while true }}x{{ end }}", "loop")]
    public async Task A_save_using_a_removed_function_or_that_does_not_parse_or_runs_away_is_refused(string text, string fragment)
    {
        var response = await _admin.PutAsJsonAsync($"{Base}/{NewKey()}", Save("Hi", text: text));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("languages.en.text", problem.ErrorFields());
        Assert.Contains(fragment, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_template_without_english_is_refused()
    {
        var response = await _admin.PutAsJsonAsync($"{Base}/{NewKey()}", new { languages = new { de = new { subject = "Hallo", html = "<p>Hallo</p>", text = "Hallo" } } });

        Assert.Contains("languages.en", (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
    }

    [Fact]
    public async Task A_preview_renders_the_stored_template_in_the_readers_language_with_a_fallback()
    {
        var german = await PreviewAsync("resolution", new { language = "de-AT" });
        Assert.Equal(("de", "Das haben wir geändert, Ada Lovelace"), (german.GetProperty("language").GetString(), german.GetProperty("subject").GetString()));
        Assert.Contains("second courier", german.GetProperty("text").GetString(), StringComparison.Ordinal);

        var french = await PreviewAsync("resolution", new { language = "fr" });
        Assert.Equal("en", french.GetProperty("language").GetString());
    }

    [Fact]
    public async Task A_preview_of_a_draft_against_a_given_model_shows_injected_markup_escaped_in_html_only()
    {
        var draft = Save("Hi {{ customer.name }}", html: "<p>{{ customer.name }}</p>", text: "{{ customer.name }}").languages;
        var preview = await PreviewAsync("any-draft", new { languages = draft, model = new { customer = new { name = "<script>alert(1)</script>" } } });

        Assert.Equal("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", preview.GetProperty("html").GetString());
        Assert.Equal("<script>alert(1)</script>", preview.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Templates_are_for_admins_only()
    {
        var agent = factory.Client(ApiFactory.AgentKey);

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync(Base)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PutAsJsonAsync($"{Base}/{NewKey()}", Save("Hi"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(null).GetAsync(Base)).StatusCode);
    }

    private static string NewKey() => $"t-{Guid.NewGuid():N}"[..18];

    private static SaveBody Save(string subject, string? comment = null, string? html = null, string? text = null) =>
        new(new Dictionary<string, Parts> { ["en"] = new(subject, html ?? $"<p>{subject}</p>", text ?? subject) }, comment);

    private Task<HttpResponseMessage> PutAsync(string key, SaveBody body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"{Base}/{key}") { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return _admin.SendAsync(request);
    }

    private async Task<JsonElement> PreviewAsync(string key, object body)
    {
        var response = await _admin.PostAsJsonAsync($"{Base}/{key}/preview", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private sealed record Parts(string Subject, string Html, string Text);

#pragma warning disable IDE1006 // Serialized as the API's camelCase.
    private sealed record SaveBody(Dictionary<string, Parts> languages, string? comment);
#pragma warning restore IDE1006
}

public sealed class SqliteTemplateTests(SqliteApiFactory factory) : TemplateTests<SqliteApiFactory>(factory);

public sealed class PostgresTemplateTests(PostgresApiFactory factory) : TemplateTests<PostgresApiFactory>(factory);
