using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClosedLoop.Api.Tests.Rules;

/// <summary>Rule-set requests as an admin's script would send them: the Workflow JSON text as the body, untouched.</summary>
internal static class RuleSetApi
{
    public const string Base = "/api/v1/rule-sets";

    public static string NewName(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>A Workflow with the given rules (JSON objects, comma-separated).</summary>
    public static string Set(string name, string rules) => $$"""{ "WorkflowName": "{{name}}", "Rules": [ {{rules}} ] }""";

    /// <summary>One rule: <paramref name="expression"/> adds <paramref name="tag"/> to the tags.</summary>
    public static string Tagging(string name, string expression, string tag, string rule = "r") =>
        Set(name, $$"""{ "RuleName": "{{rule}}", "Expression": {{JsonSerializer.Serialize(expression)}}, "Properties": { "tags": "{{tag}}" } }""");

    public static Task<HttpResponseMessage> PutAsync(this HttpClient client, string name, string json, string? query = null, string? ifMatch = null, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"{Base}/{name}{(query is null ? "" : "?" + query)}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return client.SendAsync(request);
    }

    public static async Task<JsonElement> PutOkAsync(this HttpClient client, string name, string json, string? query = null)
    {
        var response = await client.PutAsync(name, json, query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT {name}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>POST …/test with <paramref name="input"/> (JSON) and the candidate text embedded as it is.</summary>
    public static Task<HttpResponseMessage> DryRunAsync(this HttpClient client, string name, string input, string? workflow = null, string? query = null) =>
        client.PostAsync(
            $"{Base}/{name}/test{(query is null ? "" : "?" + query)}",
            new StringContent($$"""{ "input": {{input}}, "workflow": {{workflow ?? "null"}} }""", new MediaTypeHeaderValue("application/json")));

    public static async Task<JsonElement> DryRunOkAsync(this HttpClient client, string name, string input, string? workflow = null)
    {
        var response = await client.DryRunAsync(name, input, workflow);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"dry run {name}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The trace of one set in a dry run's explanation.</summary>
    public static JsonElement Trace(this JsonElement dryRun, string set) =>
        dryRun.GetProperty("explanation").GetProperty("ruleSets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == set);

    public static IReadOnlyList<string> Tags(this JsonElement dryRun) =>
        dryRun.GetProperty("decision").TryGetProperty("tags", out var tags) ? [.. tags.EnumerateArray().Select(t => t.GetString()!)] : [];

    public static async Task<List<JsonElement>> ItemsAsync(this HttpClient client, string url) =>
        [.. JsonDocument.Parse(await client.GetStringAsync(url)).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];

    /// <summary>A detractor from EMEA with a comment: what most test rules are written against.</summary>
    public const string Detractor = """{ "score": 2, "category": "detractor", "comment": "The parcel arrived late.", "customer": { "region": "EMEA" } }""";
}
