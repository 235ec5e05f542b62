using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests;

public abstract class AuditTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Fact]
    public async Task Audit_is_admin_only()
    {
        Assert.Equal(HttpStatusCode.OK, (await factory.Client(ApiFactory.AdminKey).GetAsync("/api/v1/audit")).StatusCode);
        await (await factory.Client(null).GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await factory.Client(ApiFactory.AnalystKey).GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Entries_filter_by_action_actor_and_time_and_page_newest_first()
    {
        var admin = factory.Client(ApiFactory.AdminKey);
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var created = await (await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = $"audit-{i}", role = "ingest" })).Content.ReadFromJsonAsync<JsonElement>();
            ids.Add(created.GetProperty("id").GetGuid());
        }

        await admin.DeleteAsync($"/api/v1/api-keys/{ids[0]}");

        var created3 = await Items(admin, $"/api/v1/audit?action=api-key.created&actor=dev:admin&from={Uri.EscapeDataString(start.ToString("O"))}&pageSize=500");
        var targets = created3.Select(e => e.GetProperty("target").GetString()).ToList();
        foreach (var id in ids)
        {
            Assert.Contains(id.ToString(), targets);
        }

        Assert.All(created3, e => Assert.Equal("POST", e.GetProperty("method").GetString()));
        var times = created3.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);

        Assert.Empty(await Items(admin, $"/api/v1/audit?to={Uri.EscapeDataString(start.AddDays(-1).ToString("O"))}"));
        Assert.Empty(await Items(admin, "/api/v1/audit?actor=somebody-else"));

        var page = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/audit?action=api-key.created&pageSize=1&page=2")).RootElement;
        Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(2, page.GetProperty("page").GetInt32());
        Assert.True(page.GetProperty("totalCount").GetInt64() >= 3);
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=501", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    public async Task Bad_list_parameters_are_422_with_the_field_named(string query, string field)
    {
        var response = await factory.Client(ApiFactory.AdminKey).GetAsync($"/api/v1/audit?{query}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(field, problem.ErrorFields());
    }

    private static async Task<List<JsonElement>> Items(HttpClient client, string url) =>
        JsonDocument.Parse(await client.GetStringAsync(url)).RootElement.GetProperty("items").EnumerateArray().ToList();
}

public sealed class SqliteAuditTests(SqliteApiFactory factory) : AuditTests<SqliteApiFactory>(factory);

public sealed class PostgresAuditTests(PostgresApiFactory factory) : AuditTests<PostgresApiFactory>(factory);
