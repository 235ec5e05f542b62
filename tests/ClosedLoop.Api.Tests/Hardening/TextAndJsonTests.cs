using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Hardening;

/// <summary>
/// Any text the JSON reader accepts is stored or refused with a 422 naming the field, in every module: lone UTF-16
/// surrogates and control characters (NUL above all) are refused in bodies, query strings and imported rows; a member
/// given twice (in any case) or unknown to the request is refused, never silently dropped or "last one wins"; and no
/// answer names our .NET types.
/// </summary>
public abstract class TextAndJsonTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private const string Placeholder = "\"__raw__\"";
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Theory]
    [InlineData("\\udfff")]
    [InlineData("\\ud800")]
    [InlineData("a\\ud800b")]
    public async Task A_lone_surrogate_in_an_attribute_is_a_422_naming_it_on_single_and_batch_posts(string escaped)
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource()).With("attributes.a", "__raw__");
        var text = item.ToJsonString().Replace(Placeholder, $"\"{escaped}\"", StringComparison.Ordinal);

        var single = await (await Post("/api/v1/feedback", text)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["attributes.a"], single.ErrorFields());
        Assert.Contains("surrogate", single.GetProperty("errors").GetProperty("attributes.a")[0].GetString());

        var batch = await (await Post("/api/v1/feedback/batch", $"[{FeedbackBuilder.Item(FeedbackBuilder.NewSource()).ToJsonString()},{text}]"))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["[1].attributes.a"], batch.ErrorFields());
        Assert.DoesNotContain("exception", batch.GetRawText());
    }

    [Fact]
    public async Task A_valid_surrogate_pair_is_stored_exactly()
    {
        var source = FeedbackBuilder.NewSource();
        var text = FeedbackBuilder.Item(source).With("comment", "__raw__").ToJsonString().Replace(Placeholder, "\"late \\ud83d\\ude00\"", StringComparison.Ordinal);

        var response = await Post("/api/v1/feedback", text);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var stored = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{id}");
        Assert.Equal("late 😀", stored.GetProperty("comment").GetString());
    }

    [Theory]
    [InlineData("source", "\"web\\u0000survey\"")]
    [InlineData("comment", "\"late\\u0000\"")]
    [InlineData("customer.name", "\"Ada\\u001b[31m\"")]
    [InlineData("customer.externalId", "\"c-\\udc00\"")]
    public async Task Nul_and_control_characters_are_a_422_naming_the_field(string field, string value)
    {
        var text = FeedbackBuilder.Item(FeedbackBuilder.NewSource()).With(field, "__raw__").ToJsonString().Replace(Placeholder, value, StringComparison.Ordinal);

        var problem = await (await Post("/api/v1/feedback", text)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task Tabs_and_line_breaks_are_text_and_are_kept()
    {
        var id = await _ingest.CreateAsync(FeedbackBuilder.Item(FeedbackBuilder.NewSource(), comment: "first\tline\r\nsecond line"));

        var stored = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{id}");

        Assert.Equal("first\tline\r\nsecond line", stored.GetProperty("comment").GetString());
    }

    [Fact]
    public async Task Team_and_root_cause_names_with_nul_are_refused_in_the_cases_module_too()
    {
        var key = "nul-" + Guid.NewGuid().ToString("N")[..8];
        var team = await (await _admin.PostAsJsonAsync("/api/v1/teams", new { key, name = "Night\0shift" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["name"], team.ErrorFields());
        var cause = await (await _admin.PostAsJsonAsync("/api/v1/root-causes", new { key, name = "Carrier\0" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["name"], cause.ErrorFields());
    }

    [Theory]
    [InlineData("\"members\":[null]", "members[0]")]
    [InlineData("\"businessHours\":[{\"day\":\"monday\",\"open\":\"09:00\",\"close\":\"17:00\"},null]", "businessHours[1]")]
    [InlineData("\"slaTargets\":{\"high\":null}", "slaTargets.high")]
    public async Task Null_where_a_team_needs_an_object_is_a_422_naming_it(string member, string field)
    {
        var body = $"{{\"key\":\"nulls-{Guid.NewGuid().ToString("N")[..8]}\",\"name\":\"Nulls\",{member}}}";

        var problem = await (await _admin.PostAsync("/api/v1/teams", new StringContent(body, Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task Errors_are_problems_even_when_the_caller_accepts_no_json()
    {
        foreach (var (client, request) in new (HttpClient, HttpRequestMessage)[]
        {
            (factory.Client(ApiFactory.AnalystKey), new HttpRequestMessage(HttpMethod.Get, "/api/v1/api-keys")),
            (factory.Client(null), new HttpRequestMessage(HttpMethod.Get, "/api/v1/audit")),
            (_admin, new HttpRequestMessage(HttpMethod.Post, "/api/v1/api-keys") { Content = new StringContent("{\"name\":", Encoding.UTF8, "application/json") }),
            (_admin, new HttpRequestMessage(HttpMethod.Post, "/api/v1/api-keys") { Content = new StringContent("{\"name\":1}", Encoding.UTF8, "application/json") }),
        })
        {
            client.DefaultRequestHeaders.Accept.Clear();
            request.Headers.Accept.ParseAdd("text/csv");

            var response = await client.SendAsync(request);

            Assert.True((int)response.StatusCode >= 400, $"{request.RequestUri}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_json_body_in_another_charset_is_a_415_problem()
    {
        var content = new StringContent("{\"key\":\"k\",\"name\":\"x\"}", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=nonsense");

        await (await _admin.PostAsync("/api/v1/root-causes", content)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_rule_name_with_a_lone_surrogate_is_a_422_naming_it()
    {
        var workflow = """{"WorkflowName":"surrogate","Rules":[{"RuleName":"r\ud800","Expression":"true","Properties":{"team":"triage"}}]}""";

        var response = await _admin.PutAsync("/api/v1/rule-sets/surrogate-" + Guid.NewGuid().ToString("N")[..6], new StringContent(workflow, Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["Rules[0].RuleName"], problem.ErrorFields());
    }

    [Theory]
    [InlineData("/api/v1/feedback?source=%00", "source")]
    [InlineData("/api/v1/feedback?topic=a%00b", "topic")]
    [InlineData("/api/v1/cases?team=x%00", "team")]
    public async Task Nul_in_a_query_parameter_is_a_422_naming_it(string url, string field)
    {
        var problem = await (await _admin.GetAsync(url)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task A_member_given_twice_in_any_case_is_refused_not_last_one_wins()
    {
        var source = FeedbackBuilder.NewSource();
        var text = FeedbackBuilder.Item(source, score: 9).ToJsonString().Replace("\"score\":9", "\"score\":9,\"SCORE\":0", StringComparison.Ordinal);

        var problem = await (await Post("/api/v1/feedback", text)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["SCORE"], problem.ErrorFields());
        Assert.Empty(await _admin.AllAsync($"source={source}"));
    }

    [Fact]
    public async Task An_unknown_member_is_refused_naming_it_as_the_api_document_promises()
    {
        var document = await _admin.GetStringAsync("/swagger/v1/swagger.json");
        Assert.Contains("\"additionalProperties\": false", document);
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource()).With("customer.favouriteColour", "blue");

        var problem = await (await _ingest.PostItemAsync(item)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["customer.favouriteColour"], problem.ErrorFields());
        AssertNoTypeNames(problem);
    }

    [Theory]
    [InlineData("score", "\"nine\"")]
    [InlineData("customer.accountValue", "[1]")]
    [InlineData("submittedAt", "\"yesterday\"")]
    public async Task A_value_of_the_wrong_type_is_a_400_naming_the_field_without_our_types(string field, string value)
    {
        var text = FeedbackBuilder.Item(FeedbackBuilder.NewSource()).With(field, "__raw__").ToJsonString().Replace(Placeholder, value, StringComparison.Ordinal);

        var problem = await (await Post("/api/v1/feedback", text)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal([field], problem.ErrorFields());
        AssertNoTypeNames(problem);
    }

    [Theory]
    [InlineData("{\"score\": ")]
    [InlineData("")]
    [InlineData("null")]
    public async Task A_body_that_is_not_an_item_is_a_400_without_our_types(string text)
    {
        var problem = await (await Post("/api/v1/feedback", text)).AssertProblemAsync(HttpStatusCode.BadRequest);

        AssertNoTypeNames(problem);
    }

    [Fact]
    public async Task A_poison_json_lines_row_is_rejected_with_its_line_and_the_import_completes()
    {
        var source = FeedbackBuilder.NewSource();
        string Row(int i, string attribute = "\"shop\"", string comment = "\"fine\"") =>
            FeedbackBuilder.Item(source, externalId: $"p{i}").With("attributes.product", "__raw__").With("comment", "__comment__").ToJsonString()
                .Replace(Placeholder, attribute, StringComparison.Ordinal).Replace("\"__comment__\"", comment, StringComparison.Ordinal);
        var lines = string.Join("\n", Row(1), Row(2, attribute: "\"\\udfff\""), Row(3, comment: "\"nul\\u0000\""), Row(4), "{\"score\":1,\"Score\":2}", Row(6));

        var location = await ImportApi.StartAsync(_ingest, ImportApi.Body(lines + "\n", "application/x-ndjson"));
        var import = await ImportApi.WaitAsync(_ingest, location);

        ImportApi.AssertCounts(import, rowsRead: 6, accepted: 3, duplicates: 0, conflicts: 0, rejected: 3);
        var errors = ImportApi.Errors(import);
        Assert.Equal([2L, 3L, 5L], errors.Select(e => e.Line));
        Assert.Contains("attributes.product", errors[0].Reason);
        Assert.Contains("surrogate", errors[0].Reason);
        Assert.Contains("comment", errors[1].Reason);
        Assert.Contains("Score", errors[2].Reason);
        Assert.Equal(3, (await ImportApi.FeedbackAsync(_admin, source)).Count);
    }

    [Fact]
    public async Task A_csv_row_with_nul_is_rejected_with_its_line_and_the_import_completes()
    {
        var source = FeedbackBuilder.NewSource();
        var csv = $"externalId,score,comment,customerExternalId,source\nr1,3,fine,c1,{source}\nr2,4,bad\0byte,c1,{source}\nr3,5,fine,c1,{source}\n";

        var location = await ImportApi.StartAsync(_ingest, ImportApi.Body(csv, "text/csv"));
        var import = await ImportApi.WaitAsync(_ingest, location);

        ImportApi.AssertCounts(import, rowsRead: 3, accepted: 2, duplicates: 0, conflicts: 0, rejected: 1);
        var error = Assert.Single(ImportApi.Errors(import));
        Assert.Equal(3L, error.Line);
        Assert.Contains("U+0000", error.Reason);
    }

    private Task<HttpResponseMessage> Post(string url, string json) =>
        _ingest.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    internal static void AssertNoTypeNames(JsonElement problem)
    {
        var text = problem.GetRawText();
        foreach (var leak in new[] { "ClosedLoop.", "System.", "FeedbackInput", "CustomerInput", "Nullable", "exception" })
        {
            Assert.DoesNotContain(leak, text);
        }
    }
}

public sealed class SqliteTextAndJsonTests(SqliteApiFactory factory) : TextAndJsonTests<SqliteApiFactory>(factory);

public sealed class PostgresTextAndJsonTests(PostgresApiFactory factory) : TextAndJsonTests<PostgresApiFactory>(factory);
