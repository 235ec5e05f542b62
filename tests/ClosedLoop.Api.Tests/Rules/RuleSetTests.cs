using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace ClosedLoop.Api.Tests.Rules;

/// <summary>
/// The rule-set store through its admin API: default sets seeded, saves validated before anything is stored,
/// texts kept exactly, versions immutable, rollback as a new version, preconditions, roles and audit.
/// </summary>
public abstract class RuleSetTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    protected TFactory Factory { get; } = factory;

    public static TheoryData<string, string, string?, string, string> Rejections => new()
    {
        // why, rule JSON (one rule named "r" unless the set is broken as a whole), rule named, reason code, message fragment
        { "misspelled member", """{ "RuleName": "r", "expression": "true" }""", "r", "schema", "Expression" },
        { "unknown operator", """{ "RuleName": "r", "Operator": "Xor", "Rules": [ { "RuleName": "c", "Expression": "true" } ] }""", "r", "schema", "Xor" },
        { "does not compile", Leaf("feedback.NoSuchMember > 1"), "r", "compile", "NoSuchMember" },
        { "nested rule does not compile", """{ "RuleName": "r", "Operator": "And", "Rules": [ { "RuleName": "child", "Expression": "feedback.Score ==" } ] }""", "r/child", "compile", "" },
        { "GetType", Leaf("feedback.GetType().Name == \"FeedbackFacts\""), "r", "forbidden", "GetType" },
        { "typeof", Leaf("typeof(string) != null"), "r", "forbidden", "typeof" },
        { "reflection through Assembly", Leaf("feedback.Comment.GetType().Assembly.FullName != \"\""), "r", "forbidden", "" },
        { "file access", Leaf("System.IO.File.Exists(\"/etc/passwd\")"), "r", "forbidden", "" },
        { "environment access", Leaf("Environment.GetEnvironmentVariable(\"PATH\") != null"), "r", "forbidden", "" },
        { "process access", Leaf("System.Diagnostics.Process.GetCurrentProcess().Id > 0"), "r", "forbidden", "" },
        { "expression over the cap", Leaf("feedback.Score > 1" + string.Concat(Enumerable.Repeat(" && feedback.Score > 1", 100))), "r", "limit", "2,000" },
        { "Enumerable.Range over the input", Leaf("Enumerable.Range(0, feedback.Comment.Length).Any()"), "r", "forbidden", "Range" },
        { "Enumerable.Repeat", Leaf("Enumerable.Repeat(feedback.Comment, feedback.Comment.Length).Count() > 1"), "r", "forbidden", "Repeat" },
        { "ToString(\"D100000000\")", Leaf("feedback.Customer.FeedbackCount.ToString(\"D100000000\").Length > 0"), "r", "forbidden", "at most 99" },
        { "ToString(\"N99999\")", Leaf("feedback.SentimentScore.ToString(\"N99999\") != \"\""), "r", "forbidden", "at most 99" },
        { "a computed format", Leaf("feedback.SentimentScore.ToString(feedback.Comment) != \"\""), "r", "forbidden", "literal" },
        { "padding to a huge width", Leaf("feedback.Comment.PadLeft(100000000).Length > 0"), "r", "forbidden", "PadLeft" },
        { "Concat over a repeated comment", Leaf("String.Concat(Enumerable.Repeat(feedback.Comment, 1000)).Length > 0"), "r", "forbidden", "1000 times" },
        { "SuccessEvent over the cap", $$"""{ "RuleName": "r", "SuccessEvent": "{{new string('s', 501)}}", "Expression": "true" }""", "r", "limit", "at most 500" },
        { "note over the cap", $$"""{ "RuleName": "r", "Expression": "true", "Properties": { "x-why": "{{new string('w', 1_001)}}" } }""", "r", "limit", "at most 1,000" },
        { "unknown decision property", """{ "RuleName": "r", "Expression": "true", "Properties": { "priorty": "high" } }""", "r", "property", "priorty" },
    };

    [Fact]
    public async Task The_default_rule_sets_are_seeded_as_version_1_in_order_with_their_files_text()
    {
        var sets = await _admin.ItemsAsync($"{RuleSetApi.Base}?pageSize=500");

        var defaults = sets.Where(s => s.GetProperty("name").GetString() is "topics" or "routing" or "regional-teams").ToList();
        Assert.Equal(["topics", "routing", "regional-teams"], defaults.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal([100, 200, 300], defaults.Select(s => s.GetProperty("order").GetInt32()));
        Assert.All(defaults, s => Assert.Equal("feedback", s.GetProperty("input").GetString()));
        Assert.All(defaults, s => Assert.True(s.GetProperty("ruleCount").GetInt32() >= 5));
        foreach (var (name, file) in new[] { ("topics", "100-topics.json"), ("routing", "200-routing.json"), ("regional-teams", "300-regional-teams.json") })
        {
            var text = await _admin.GetStringAsync($"{RuleSetApi.Base}/{name}?version=1");
            var first = JsonDocument.Parse(text).RootElement;
            Assert.Equal("seed", first.GetProperty("origin").GetString());
            Assert.Equal("system", first.GetProperty("author").GetString());
            AssertEmbeddedExactly(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", file)), text);
        }
    }

    [Fact]
    public async Task A_set_is_returned_with_its_exact_text_its_metadata_and_its_version_as_ETag()
    {
        var name = RuleSetApi.NewName();
        // Odd but valid formatting, escapes and number spellings: all must come back as sent.
        var json = "{\n\t\"WorkflowName\" :\"" + name + "\",  \"Rules\":[{\"RuleName\":\"caf\\u00e9\", \"Expression\": \"feedback.SentimentScore < -0.50\",\n \"Properties\":{\"slaHours\":24,\"tags\":[\"a\\/b\"]}}]   }";
        await _admin.PutOkAsync(name, json, "order=900&comment=first%20cut");

        var response = await _admin.GetAsync($"{RuleSetApi.Base}/{name}");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal(json, body.GetProperty("workflow").GetRawText());
        Assert.Equal((1, true, 900, 1, "put", "first cut", "Development admin"), (
            body.GetProperty("version").GetInt32(), body.GetProperty("published").GetBoolean(), body.GetProperty("order").GetInt32(),
            body.GetProperty("ruleCount").GetInt32(), body.GetProperty("origin").GetString(), body.GetProperty("comment").GetString(), body.GetProperty("author").GetString()));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json))), body.GetProperty("sha256").GetString());

        var alone = await _admin.GetAsync($"{RuleSetApi.Base}/{name}/workflow");
        Assert.Equal("application/json", alone.Content.Headers.ContentType?.MediaType);
        Assert.Equal(json, await alone.Content.ReadAsStringAsync());
        Assert.Equal("\"1\"", alone.Headers.ETag?.Tag);

        var listed = (await _admin.ItemsAsync($"{RuleSetApi.Base}?pageSize=500")).Single(s => s.GetProperty("name").GetString() == name);
        Assert.Equal((1, 1, "Development admin"), (listed.GetProperty("publishedVersion").GetInt32(), listed.GetProperty("versionCount").GetInt32(), listed.GetProperty("updatedBy").GetString()));

        await (await _admin.GetAsync($"{RuleSetApi.Base}/{name}?version=2")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"{RuleSetApi.Base}/no-such-set")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_valid_save_becomes_the_published_version_and_routes_at_once()
    {
        var name = RuleSetApi.NewName();
        var created = await _admin.PutAsync(name, RuleSetApi.Tagging(name, "feedback.Score <= 6", "first-cut"), "comment=new");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/rule-sets/{name}", created.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);

        var first = await _admin.DryRunOkAsync(name, RuleSetApi.Detractor);
        Assert.Contains("first-cut", first.Tags());
        Assert.Equal(1, first.Trace(name).GetProperty("version").GetInt32());

        var saved = await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "feedback.Score <= 6", "second-cut"));
        Assert.True(saved.GetProperty("changed").GetBoolean());
        Assert.Equal(2, saved.GetProperty("ruleSet").GetProperty("version").GetInt32());
        var second = await _admin.DryRunOkAsync(name, RuleSetApi.Detractor);
        Assert.Contains("second-cut", second.Tags());
        Assert.DoesNotContain("first-cut", second.Tags());
        var trace = second.Trace(name);
        Assert.Equal(2, trace.GetProperty("version").GetInt32());
        Assert.True(trace.GetProperty("rules")[0].GetProperty("matched").GetBoolean());

        // The same text and order again: nothing new.
        var again = await _admin.PutAsync(name, RuleSetApi.Tagging(name, "feedback.Score <= 6", "second-cut"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetBoolean());
        Assert.Equal(2, (await _admin.ItemsAsync($"{RuleSetApi.Base}/{name}/versions")).Count);

        // A new order alone is a new version.
        var moved = await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "feedback.Score <= 6", "second-cut"), "order=5");
        Assert.Equal((3, 5), (moved.GetProperty("ruleSet").GetProperty("version").GetInt32(), moved.GetProperty("ruleSet").GetProperty("order").GetInt32()));
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task An_unacceptable_set_is_a_422_naming_the_rule_and_the_reason_and_nothing_is_stored(string why, string rule, string? ruleNamed, string code, string fragment)
    {
        var name = RuleSetApi.NewName("bad");

        var response = await _admin.PutAsync(name, RuleSetApi.Set(name, rule));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var named = problem.GetProperty("problems").EnumerateArray()
            .Where(p => p.GetProperty("code").GetString() == code && p.GetProperty("rule").GetString() == ruleNamed).ToList();
        Assert.True(named.Count > 0, $"{why}: no '{code}' problem for rule '{ruleNamed}' in {problem}");
        Assert.Contains(fragment, named[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(named[0].GetProperty("key").GetString(), problem.ErrorFields());
        await (await _admin.GetAsync($"{RuleSetApi.Base}/{name}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"{RuleSetApi.Base}/{name}/versions")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_workflow_name_other_than_the_route_name_is_a_422_and_a_rejected_change_keeps_the_published_version()
    {
        var name = RuleSetApi.NewName();
        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "true", "kept"));

        var renamed = await _admin.PutAsync(name, RuleSetApi.Tagging("something-else", "true", "x"));
        var problem = await renamed.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("WorkflowName", problem.ErrorFields());

        var broken = await _admin.PutAsync(name, RuleSetApi.Tagging(name, "feedback.GetType() != null", "x"));
        await broken.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        var versions = await _admin.ItemsAsync($"{RuleSetApi.Base}/{name}/versions");
        Assert.Equal(1, Assert.Single(versions).GetProperty("version").GetInt32());
        Assert.Contains("kept", (await _admin.DryRunOkAsync(name, RuleSetApi.Detractor)).Tags());
    }

    [Fact]
    public async Task Bad_requests_are_refused_before_validation()
    {
        var name = RuleSetApi.NewName();
        var json = RuleSetApi.Tagging(name, "true", "x");

        await (await _admin.PutAsync(name, json, "order=-1")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PutAsync(name, json, "comment=" + new string('c', 501))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PutAsync(name, json, "input=nope")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PutAsync(name, "  ")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PutAsync("bad%20name", RuleSetApi.Tagging("bad name", "true", "x"))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var text = await _admin.PutAsync($"{RuleSetApi.Base}/{name}", new StringContent(json, System.Text.Encoding.UTF8, "text/plain"));
        await text.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await _admin.GetAsync($"{RuleSetApi.Base}/{name}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_complex_workflow_is_stored_and_returned_without_loss_and_runs()
    {
        var shared = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "RuleSetSamples", "shared-signals.json"));
        var escalations = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "RuleSetSamples", "escalations.json"));

        await _admin.PutOkAsync("shared-signals", shared, "order=50");
        var saved = await _admin.PutOkAsync("escalations", escalations, "order=150");
        Assert.Empty(saved.GetProperty("warnings").EnumerateArray());

        foreach (var (name, original) in new[] { ("shared-signals", shared), ("escalations", escalations) })
        {
            var text = await _admin.GetStringAsync($"{RuleSetApi.Base}/{name}");
            var returned = JsonDocument.Parse(text).RootElement.GetProperty("workflow");
            AssertEmbeddedExactly(original, text);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(original), JsonNode.Parse(returned.GetRawText())), name);
            Assert.Equal(original, await _admin.GetStringAsync($"{RuleSetApi.Base}/{name}/workflow"));
        }

        var routed = await _admin.DryRunOkAsync("escalations", """
            { "score": 1, "category": "detractor", "topics": [ "pricing" ],
              "comment": "We are cancelling and moving to a competitor because the new pricing doubled our bill overnight, again.",
              "customer": { "region": "EMEA", "accountValue": 300000 } }
            """);
        var trace = routed.Trace("escalations");
        var rules = trace.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal("evaluated", trace.GetProperty("outcome").GetString(), StringComparer.OrdinalIgnoreCase);
        Assert.Contains(rules, r => r.GetProperty("path").GetString() == "key-account-at-risk/has-a-reason/long-comment" && r.GetProperty("matched").GetBoolean());
        Assert.Equal("600000", rules.Single(r => r.GetProperty("name").GetString() == "key-account-at-risk").GetProperty("actionOutput").GetString());
        Assert.Equal("shared-signals", rules.Single(r => r.GetProperty("name").GetString() == "mentions-cancellation").GetProperty("injectedFrom").GetString());
        Assert.DoesNotContain(rules, r => r.GetProperty("name").GetString() is "retired" or "disabled-probe" or "legal-threat");
        Assert.Equal("executive", routed.GetProperty("decision").GetProperty("escalationLevel").GetString());
        Assert.Contains("churn-risk", routed.Tags());
    }

    [Fact]
    public async Task Versions_are_listed_newest_first_and_rollback_republishes_an_old_text_as_a_new_version()
    {
        var name = RuleSetApi.NewName();
        var v1 = RuleSetApi.Tagging(name, "feedback.Score <= 6", "from-v1");
        await _admin.PutOkAsync(name, v1, "comment=one");
        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "feedback.Score <= 6", "from-v2"), "comment=two");
        Assert.Contains("from-v2", (await _admin.DryRunOkAsync(name, RuleSetApi.Detractor)).Tags());

        var response = await _admin.PostAsJsonAsync($"{RuleSetApi.Base}/{name}/rollback", new { version = 1, comment = "v2 was wrong" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"3\"", response.Headers.ETag?.Tag);
        var published = body.GetProperty("ruleSet");
        Assert.Equal((3, "rollback", 1, v1), (published.GetProperty("version").GetInt32(), published.GetProperty("origin").GetString(), published.GetProperty("rolledBackFrom").GetInt32(), published.GetProperty("workflow").GetRawText()));

        var versions = await _admin.ItemsAsync($"{RuleSetApi.Base}/{name}/versions");
        Assert.Equal([3, 2, 1], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal([true, false, false], versions.Select(v => v.GetProperty("published").GetBoolean()));
        Assert.Equal(["v2 was wrong", "two", "one"], versions.Select(v => v.GetProperty("comment").GetString()));
        Assert.Equal(versions[2].GetProperty("sha256").GetString(), versions[0].GetProperty("sha256").GetString());
        Assert.NotEqual(versions[1].GetProperty("sha256").GetString(), versions[0].GetProperty("sha256").GetString());
        Assert.Equal(["rollback", "put", "put"], versions.Select(v => v.GetProperty("origin").GetString()));

        var after = await _admin.DryRunOkAsync(name, RuleSetApi.Detractor);
        Assert.Contains("from-v1", after.Tags());
        Assert.DoesNotContain("from-v2", after.Tags());
        Assert.Equal(3, after.Trace(name).GetProperty("version").GetInt32());

        // Back to what is published already: nothing new.
        var same = await _admin.PostAsJsonAsync($"{RuleSetApi.Base}/{name}/rollback", new { version = 1 });
        Assert.False((await same.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetBoolean());

        var page = JsonDocument.Parse(await _admin.GetStringAsync($"{RuleSetApi.Base}/{name}/versions?pageSize=1&page=2")).RootElement;
        Assert.Equal(2, page.GetProperty("items")[0].GetProperty("version").GetInt32());
        Assert.Equal(3, page.GetProperty("totalCount").GetInt64());

        await (await _admin.PostAsJsonAsync($"{RuleSetApi.Base}/{name}/rollback", new { version = 99 })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.PostAsJsonAsync($"{RuleSetApi.Base}/no-such-set/rollback", new { version = 1 })).AssertProblemAsync(HttpStatusCode.NotFound);
        var missing = await (await _admin.PostAsJsonAsync($"{RuleSetApi.Base}/{name}/rollback", new { comment = "which?" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("version", missing.ErrorFields());
    }

    [Fact]
    public async Task A_rollback_is_validated_again_against_the_current_catalog()
    {
        var shared = RuleSetApi.NewName("shared");
        var main = RuleSetApi.NewName("main");
        await _admin.PutOkAsync(shared, RuleSetApi.Set(shared, """{ "RuleName": "s", "Expression": "true" }"""), "order=10");
        await _admin.PutOkAsync(main, $$"""{ "WorkflowName": "{{main}}", "WorkflowsToInject": [ "{{shared}}" ], "Rules": [ { "RuleName": "m1", "Expression": "true" } ] }""", "order=20");
        await _admin.PutOkAsync(main, RuleSetApi.Set(main, """{ "RuleName": "m2", "Expression": "true" }"""));

        // Nothing injects the shared set any more, so it may now take a rule name version 1 of main also uses.
        await _admin.PutOkAsync(shared, RuleSetApi.Set(shared, """{ "RuleName": "s", "Expression": "true" }, { "RuleName": "m1", "Expression": "true" }"""));
        var response = await _admin.PostAsJsonAsync($"{RuleSetApi.Base}/{main}/rollback", new { version = 1 });

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(problem.GetProperty("problems").EnumerateArray(), p => p.GetProperty("rule").GetString() == "m1");
        Assert.Equal(2, (await _admin.ItemsAsync($"{RuleSetApi.Base}/{main}/versions")).Count);
    }

    [Fact]
    public async Task A_stale_If_Match_is_a_412_and_writes_nothing()
    {
        var name = RuleSetApi.NewName();
        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "true", "one"));
        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "true", "two"));

        var stale = await _admin.PutAsync(name, RuleSetApi.Tagging(name, "true", "three"), ifMatch: "\"1\"");
        var problem = await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, problem.GetProperty("publishedVersion").GetInt32());
        await (await _admin.PutAsync(name, RuleSetApi.Tagging(name, "true", "three"), ifMatch: "\"abc\"")).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await _admin.PutAsync(name, RuleSetApi.Tagging(name, "true", "three"), ifNoneMatch: "*")).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var rollback = new HttpRequestMessage(HttpMethod.Post, $"{RuleSetApi.Base}/{name}/rollback") { Content = JsonContent.Create(new { version = 1 }) };
        rollback.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        await (await _admin.SendAsync(rollback)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await _admin.PutAsync(RuleSetApi.NewName(), RuleSetApi.Tagging("x", "true", "x"), ifMatch: "\"1\"")).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, (await _admin.ItemsAsync($"{RuleSetApi.Base}/{name}/versions")).Count);

        var current = await _admin.PutAsync(name, RuleSetApi.Tagging(name, "true", "three"), ifMatch: "\"2\"");
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal("\"3\"", current.Headers.ETag?.Tag);
        var fresh = RuleSetApi.NewName();
        Assert.Equal(HttpStatusCode.Created, (await _admin.PutAsync(fresh, RuleSetApi.Tagging(fresh, "true", "x"), ifNoneMatch: "*")).StatusCode);
    }

    [Fact]
    public async Task Concurrent_saves_of_one_set_take_distinct_version_numbers()
    {
        var name = RuleSetApi.NewName();
        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "true", "start"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Factory.Client(ApiFactory.AdminKey).PutAsync(name, RuleSetApi.Tagging(name, "true", $"writer-{i}"))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var numbers = new List<int>();
        foreach (var response in responses)
        {
            numbers.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ruleSet").GetProperty("version").GetInt32());
        }

        Assert.Equal([2, 3, 4, 5, 6, 7], numbers.Order());
        var versions = await _admin.ItemsAsync($"{RuleSetApi.Base}/{name}/versions");
        Assert.Equal([7, 6, 5, 4, 3, 2, 1], versions.Select(v => v.GetProperty("version").GetInt32()));
        var set = JsonDocument.Parse(await _admin.GetStringAsync($"{RuleSetApi.Base}/{name}")).RootElement;
        Assert.Equal(7, set.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_dry_run_can_try_a_candidate_without_saving_it_and_reports_bad_input()
    {
        var name = RuleSetApi.NewName();
        var candidate = RuleSetApi.Tagging(name, "feedback.Customer.Region == \"EMEA\"", "candidate-tag");

        var tried = await _admin.DryRunOkAsync(name, RuleSetApi.Detractor, candidate);
        Assert.Contains("candidate-tag", tried.Tags());
        Assert.Equal(1, tried.Trace(name).GetProperty("version").GetInt32());
        Assert.Contains(tried.GetProperty("explanation").GetProperty("ruleSets").EnumerateArray(), s => s.GetProperty("name").GetString() == "routing");
        await (await _admin.GetAsync($"{RuleSetApi.Base}/{name}")).AssertProblemAsync(HttpStatusCode.NotFound);

        var invalid = await _admin.DryRunAsync(name, RuleSetApi.Detractor, RuleSetApi.Tagging(name, "typeof(string) != null", "x"));
        Assert.Contains("rules/r.Expression", (await invalid.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        await (await _admin.DryRunAsync(name, RuleSetApi.Detractor)).AssertProblemAsync(HttpStatusCode.NotFound);
        var unknownMember = await _admin.DryRunAsync("routing", """{ "scroe": 3 }""");
        Assert.Contains("input", (await unknownMember.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        var wrongType = await _admin.DryRunAsync("routing", """{ "score": "three" }""");
        Assert.Contains("input", (await wrongType.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        var notAnObject = await _admin.DryRunAsync("routing", "[1, 2]");
        Assert.Contains("input", (await notAnObject.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());

        // The stored catalog as it is: the defaults decide.
        var live = await _admin.DryRunOkAsync("routing", """{ "score": 2, "category": "detractor", "comment": "Delivery was two weeks late.", "customer": { "region": "EMEA" } }""");
        Assert.True(live.GetProperty("decision").GetProperty("openCase").GetBoolean());
        Assert.Contains("delivery", live.GetProperty("decision").GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.False(live.GetProperty("explanation").GetProperty("fallback").GetBoolean());
    }

    [Fact]
    public async Task Only_admins_reach_the_rule_set_and_incident_routes()
    {
        var name = RuleSetApi.NewName();
        var json = RuleSetApi.Tagging(name, "true", "x");
        foreach (var key in new[] { ApiFactory.AgentKey, ApiFactory.AnalystKey, ApiFactory.IngestKey, null })
        {
            var client = Factory.Client(key);
            var status = key is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
            await (await client.GetAsync(RuleSetApi.Base)).AssertProblemAsync(status);
            await (await client.GetAsync($"{RuleSetApi.Base}/routing")).AssertProblemAsync(status);
            await (await client.GetAsync($"{RuleSetApi.Base}/routing/workflow")).AssertProblemAsync(status);
            await (await client.GetAsync($"{RuleSetApi.Base}/routing/versions")).AssertProblemAsync(status);
            await (await client.PutAsync(name, json)).AssertProblemAsync(status);
            await (await client.PostAsJsonAsync($"{RuleSetApi.Base}/routing/rollback", new { version = 1 })).AssertProblemAsync(status);
            await (await client.DryRunAsync("routing", RuleSetApi.Detractor)).AssertProblemAsync(status);
            await (await client.GetAsync("/api/v1/rule-incidents")).AssertProblemAsync(status);
        }

        await (await _admin.GetAsync($"{RuleSetApi.Base}/{name}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Single(await _admin.ItemsAsync($"{RuleSetApi.Base}/routing/versions"));
    }

    [Fact]
    public async Task Saves_and_rollbacks_are_audited_with_the_new_version_and_repeats_are_not()
    {
        var name = RuleSetApi.NewName();
        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "true", "one"));
        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "true", "two"));
        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "true", "two"));
        await _admin.PostAsJsonAsync($"{RuleSetApi.Base}/{name}/rollback", new { version = 1 });

        var saved = (await _admin.ItemsAsync("/api/v1/audit?action=rule-set.saved&pageSize=500")).Where(e => e.GetProperty("target").GetString() == name).ToList();
        Assert.Equal(["version 2", "version 1"], saved.Select(e => e.GetProperty("details").GetString()![..9]));
        Assert.Equal([200, 201], saved.Select(e => e.GetProperty("status").GetInt32()));
        Assert.All(saved, e => Assert.Equal("PUT", e.GetProperty("method").GetString()));
        var rolledBack = Assert.Single(await _admin.ItemsAsync("/api/v1/audit?action=rule-set.rolled-back&pageSize=500"), e => e.GetProperty("target").GetString() == name);
        Assert.StartsWith("version 3 (rolled back to version 1)", rolledBack.GetProperty("details").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_swagger_example_is_a_valid_rule_set()
    {
        var document = JsonDocument.Parse(await Factory.Client(null).GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var put = document.GetProperty("paths").GetProperty("/api/v1/rule-sets/{name}").GetProperty("put");
        var example = put.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Contains("If-Match", put.GetProperty("description").GetString(), StringComparison.Ordinal);

        var name = example.GetProperty("WorkflowName").GetString()!;
        var saved = await _admin.PutAsync(name, example.GetRawText());
        Assert.True(saved.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        var testExample = document.GetProperty("paths").GetProperty("/api/v1/rule-sets/{name}/test").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.True((await _admin.DryRunAsync(name, testExample.GetProperty("input").GetRawText())).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_rule_set_that_runs_away_on_a_live_item_raises_an_incident_admins_can_list()
    {
        // Quadratic in the comment's words: harmless on the samples, about two seconds on 5,000 one-letter words
        // (eight times the budget). Only items from the probe source run it, so this class's dry runs stay quick.
        var name = RuleSetApi.NewName("slow");
        var runaway = $$"""
            { "WorkflowName": "{{name}}", "Rules": [ { "RuleName": "money-back-anywhere",
              "LocalParams": [ { "Name": "words", "Expression": "feedback.Comment.Split(' ')" } ],
              "Expression": "feedback.Source == \"runaway-probe\" && words.SelectMany(a => words.Select(b => a + \" \" + b)).Any(p => Text.ContainsWord(p, \"money back\"))",
              "Properties": { "tags": "refund-demand" } } ] }
            """;
        await _admin.PutOkAsync(name, runaway, "order=1");
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);

        // Live routing is the Feedback module's (ingest); here the engine is driven directly, as it would, in a second
        // host on this database with the shipped budget (the test hosts' own is generous, see ApiFactory).
        await using var shipped = Factory.WithWebHostBuilder(b => b.UseSetting(RuleBudgets.Evaluation, RuleBudgets.Production));
        var engine = shipped.Services.GetRequiredService<ClosedLoop.Rules.IRuleEngine<ClosedLoop.Feedback.Contracts.Routing.FeedbackFacts>>();
        var comment = string.Concat(Enumerable.Repeat("w ", 5_000));
        var routed = await engine.RouteAsync(new ClosedLoop.Feedback.Contracts.Routing.FeedbackFacts(
            3, "detractor", comment, "email", "runaway-probe", "neutral", 0, [], DateTimeOffset.UtcNow,
            new Dictionary<string, string>(), new ClosedLoop.Feedback.Contracts.Routing.CustomerFacts("EMEA", "", "en", null, 1, null)));
        Assert.True(routed.Fallback);

        List<JsonElement> incidents = [];
        for (var wait = 0; wait < 100 && incidents.Count == 0; wait++)
        {
            await Task.Delay(100);
            incidents = await _admin.ItemsAsync($"/api/v1/rule-incidents?ruleSet={name}");
        }

        var incident = Assert.Single(incidents);
        Assert.Equal("timeout", incident.GetProperty("kind").GetString(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal((1, "feedback"), (incident.GetProperty("version").GetInt32(), incident.GetProperty("input").GetString()));
        Assert.Contains(name, incident.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(incident.GetProperty("at").GetDateTimeOffset() >= started);
        Assert.Contains(await _admin.ItemsAsync($"/api/v1/rule-incidents?kind=timeout&from={Uri.EscapeDataString(started.ToString("O"))}"), i => i.GetProperty("id").GetString() == incident.GetProperty("id").GetString());
        var newest = await _admin.ItemsAsync("/api/v1/rule-incidents?pageSize=500");
        Assert.Equal(newest.Select(i => i.GetProperty("at").GetDateTimeOffset()).OrderByDescending(t => t), newest.Select(i => i.GetProperty("at").GetDateTimeOffset()));
        Assert.Contains("kind", (await (await _admin.GetAsync("/api/v1/rule-incidents?kind=bogus")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());

        await _admin.PutOkAsync(name, RuleSetApi.Tagging(name, "false", "never"));
    }

    [Fact]
    public async Task A_100000_character_rule_name_is_a_422_naming_the_rule_by_its_start_and_the_cap()
    {
        var name = RuleSetApi.NewName("long");

        var response = await _admin.PutAsync(name, RuleSetApi.Set(name, $$"""{ "RuleName": "{{new string('n', 100_000)}}", "Expression": "true" }"""));

        var body = await response.Content.ReadAsStringAsync();
        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var named = Assert.Single(problem.GetProperty("problems").EnumerateArray());
        Assert.Equal((new string('n', 32) + "…", "RuleName", "limit"), (named.GetProperty("rule").GetString(), named.GetProperty("field").GetString(), named.GetProperty("code").GetString()));
        Assert.Contains("100,000 characters; at most 100", named.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(named.GetProperty("key").GetString(), problem.ErrorFields());
        Assert.True(body.Length < 5_000, $"The answer repeats the name: {body.Length} characters.");
        await (await _admin.GetAsync($"{RuleSetApi.Base}/{name}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Formats_padding_and_names_within_the_caps_are_accepted()
    {
        var name = RuleSetApi.NewName("fmt");
        var json = RuleSetApi.Set(name, $$"""
            { "RuleName": "{{new string('r', 100)}}", "SuccessEvent": "{{new string('s', 500)}}",
              "Expression": "feedback.SentimentScore.ToString(\"F1\") != \"\" && feedback.SubmittedAt.ToString(\"yyyy-MM-dd\") != \"\" && feedback.Score.ToString().PadLeft(3) != \"\"",
              "Properties": { "tags": "formatted", "x-why": "{{new string('w', 1_000)}}" } }
            """);

        await _admin.PutOkAsync(name, json);
    }

    [Fact]
    public async Task An_input_name_over_its_column_is_a_422_naming_the_input()
    {
        var name = RuleSetApi.NewName("in");

        var response = await _admin.PutAsync(name, RuleSetApi.Tagging(name, "true", "x"), "input=" + new string('i', 5_000));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("input", (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        Assert.True(body.Length < 2_000, $"The answer repeats the input: {body.Length} characters.");
    }

    /// <summary>
    /// The stored text is written into the response as it is, whitespace around it included; as a JSON value
    /// (what a client parses) it is the text without that surrounding whitespace.
    /// </summary>
    private static void AssertEmbeddedExactly(string stored, string response)
    {
        Assert.Contains("\"workflow\":" + stored, response, StringComparison.Ordinal);
        Assert.Equal(stored.Trim(), JsonDocument.Parse(response).RootElement.GetProperty("workflow").GetRawText());
    }

    internal static string Leaf(string expression) => $$"""{ "RuleName": "r", "Expression": {{JsonSerializer.Serialize(expression)}} }""";
}

public sealed class SqliteRuleSetTests(SqliteApiFactory factory) : RuleSetTests<SqliteApiFactory>(factory);

public sealed class PostgresRuleSetTests(PostgresApiFactory factory) : RuleSetTests<PostgresApiFactory>(factory);
