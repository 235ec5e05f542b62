using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests;

/// <summary>Health, Swagger and the answers to bad input: right status, a problem body, nothing written.</summary>
public abstract class HostTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Fact]
    public async Task Health_is_ready_with_the_database_checked()
    {
        var response = await factory.Client(null).GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Alive_answers_without_a_key()
    {
        var response = await factory.Client(null).GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("database", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Swagger_documents_every_api_operation_with_summary_roles_and_the_key_scheme()
    {
        var client = factory.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/index.html")).StatusCode);
        var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json")).RootElement;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var operations = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Route: $"{o.Name.ToUpperInvariant()} {p.Name}", Operation: o.Value)))
            .ToList();
        Assert.Contains(operations, o => o.Route == "POST /api/v1/api-keys");
        Assert.Contains(operations, o => o.Route == "GET /api/v1/audit");
        foreach (var (route, operation) in operations)
        {
            Assert.True(operation.TryGetProperty("summary", out var summary) && summary.GetString()!.Length > 10, $"{route} has no summary (XML doc comment)");
            Assert.True(operation.TryGetProperty("security", out _), $"{route} does not declare the API key scheme");
            Assert.Contains("**Roles:**", operation.GetProperty("description").GetString());
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{route} does not document 401");
        }

        var example = document.GetProperty("paths").GetProperty("/api/v1/api-keys").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("ingest", example.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        var response = await factory.Client(ApiFactory.AdminKey).GetAsync("/api/v1/no-such-thing");

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("/api/v1/no-such-thing", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wrong_method_is_a_405_problem()
    {
        var response = await factory.Client(ApiFactory.AdminKey).PutAsync("/api/v1/audit", JsonContent.Create(new { }));

        var problem = await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Contains("PUT", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wrong_content_type_is_a_415_problem_and_writes_nothing()
    {
        var client = factory.Client(ApiFactory.AdminKey);
        var name = "form-" + Guid.NewGuid().ToString("N");

        var response = await client.PostAsync("/api/v1/api-keys", new StringContent($"name={name}&role=admin", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await AssertNoKeyNamedAsync(client, name);
    }

    [Theory]
    [InlineData("{\"name\": \"broken\", \"role\": ")]
    [InlineData("not json at all")]
    [InlineData("{\"name\": 42, \"role\": [1]}")]
    public async Task Malformed_json_is_a_400_problem_that_says_why(string body)
    {
        var client = factory.Client(ApiFactory.AdminKey);

        var response = await client.PostAsync("/api/v1/api-keys", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("JSON", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(problem.TryGetProperty("exception", out _));
        await AssertNoKeyNamedAsync(client, "broken");
    }

    [Fact]
    public async Task Oversized_body_is_a_413_problem_and_writes_nothing()
    {
        var client = factory.Client(ApiFactory.AdminKey);
        var name = "huge-" + Guid.NewGuid().ToString("N");
        var body = JsonSerializer.Serialize(new { name, role = "admin", padding = new string('x', 2 * 1024 * 1024) });

        var response = await client.PostAsync("/api/v1/api-keys", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most", problem.GetProperty("detail").GetString());
        await AssertNoKeyNamedAsync(client, name);
    }

    [Fact]
    public async Task Non_numeric_paging_is_a_400_problem()
    {
        var response = await factory.Client(ApiFactory.AdminKey).GetAsync("/api/v1/audit?page=first");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("page", problem.ErrorFields());
        Assert.Contains("whole number", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_endpoints_answer_says_how_long_the_endpoint_itself_took()
    {
        var client = factory.Client(ApiFactory.AdminKey);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var listed = await client.GetAsync("/api/v1/cases?pageSize=5");
        var whole = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var refused = await client.GetAsync("/api/v1/cases?pageSize=0");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var took = ServerTimingOf(listed);
        Assert.InRange(took, 0.001, whole);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.True(ServerTimingOf(refused) > 0, "a refused call is timed too");
        Assert.False((await factory.Client(null).GetAsync("/alive")).Headers.Contains("Server-Timing"), "only the API's endpoints are timed");
    }

    private static double ServerTimingOf(HttpResponseMessage response)
    {
        var value = Assert.Single(response.Headers.GetValues("Server-Timing"));
        var match = System.Text.RegularExpressions.Regex.Match(value, @"^app;dur=(\d+(\.\d+)?)$");
        Assert.True(match.Success, $"Server-Timing: {value}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task AssertNoKeyNamedAsync(HttpClient client, string name)
    {
        var keys = await client.GetStringAsync("/api/v1/api-keys?includeRevoked=true&pageSize=500");
        Assert.DoesNotContain(name, keys);
        var audit = await client.GetStringAsync("/api/v1/audit?pageSize=500");
        Assert.DoesNotContain(name, audit);
    }
}

public sealed class SqliteHostTests(SqliteApiFactory factory) : HostTests<SqliteApiFactory>(factory);

public sealed class PostgresHostTests(PostgresApiFactory factory) : HostTests<PostgresApiFactory>(factory);
