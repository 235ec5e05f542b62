using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication.Delivery;

/// <summary>
/// The webhook endpoint admin API: the secret shown once, never listed; field errors as 422 problems; targets inside
/// the network refused at save; names unique; admin only, audited.
/// </summary>
public abstract class WebhookEndpointTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private const string Base = "/api/v1/webhook-endpoints";

    // A public address literal: the check needs no DNS on the test machine.
    private const string PublicUrl = "https://93.184.216.34/hooks/closedloop";

    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task A_created_endpoint_shows_its_generated_secret_once_and_never_again()
    {
        var name = NewName();
        var response = await _admin.PostAsJsonAsync(Base, new { name, url = PublicUrl, events = new[] { "escalation-notice", "sla-breach-warning" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/webhook-endpoints/{id}", response.Headers.Location?.OriginalString);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.Equal(["escalation-notice", "sla-breach-warning"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.True(created.GetProperty("enabled").GetBoolean());

        var read = await _admin.GetStringAsync($"{Base}/{id}");
        Assert.DoesNotContain("secret", read, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(secret, read, StringComparison.Ordinal);
        var list = await _admin.GetStringAsync($"{Base}?pageSize=500");
        Assert.Contains(name, list, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", list, StringComparison.Ordinal);

        var audit = await _admin.GetStringAsync("/api/v1/audit?action=webhook-endpoint.created&pageSize=500");
        Assert.Contains(id.ToString(), audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_given_secret_is_kept_and_a_malformed_one_is_refused()
    {
        var secret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var created = await (await _admin.PostAsJsonAsync(Base, new { name = NewName(), url = PublicUrl, events = new[] { "*" }, secret }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(secret, created.GetProperty("secret").GetString());

        var bad = await _admin.PostAsJsonAsync(Base, new { name = NewName(), url = PublicUrl, events = new[] { "*" }, secret = "hunter2" });
        Assert.Contains("secret", (await bad.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
    }

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://localhost/")]
    [InlineData("http://[::ffff:192.168.0.1]/")]
    [InlineData("ftp://93.184.216.34/")]
    [InlineData("https://admin:pw@93.184.216.34/")]
    [InlineData("not a url")]
    public async Task A_target_inside_the_network_or_not_http_is_refused_with_422_naming_url(string url)
    {
        var response = await _admin.PostAsJsonAsync(Base, new { name = NewName(), url, events = new[] { "*" } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["url"], problem.ErrorFields());
    }

    [Fact]
    public async Task Missing_and_malformed_fields_are_named()
    {
        var response = await _admin.PostAsJsonAsync(Base, new { name = "", events = new[] { "Not A Key" } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["events", "name", "url"], problem.ErrorFields().Order());
    }

    [Fact]
    public async Task An_update_changes_the_given_fields_and_checks_a_new_url_again()
    {
        var id = await CreateAsync(NewName());

        var updated = await _admin.PutAsJsonAsync($"{Base}/{id}", new { events = new[] { "case-assigned" }, enabled = false });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var body = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.GetProperty("enabled").GetBoolean());
        Assert.Equal(["case-assigned"], body.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(PublicUrl, body.GetProperty("url").GetString());

        var inside = await _admin.PutAsJsonAsync($"{Base}/{id}", new { url = "http://192.168.1.10/hook" });
        Assert.Equal(["url"], (await inside.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        var unknown = await _admin.PutAsJsonAsync($"{Base}/{Guid.NewGuid()}", new { enabled = true });
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Names_are_unique()
    {
        var name = NewName();
        await CreateAsync(name);

        var again = await _admin.PostAsJsonAsync(Base, new { name, url = PublicUrl, events = new[] { "*" } });

        await again.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_deleted_endpoint_is_gone()
    {
        var id = await CreateAsync(NewName());

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"{Base}/{id}")).StatusCode);
        await (await _admin.GetAsync($"{Base}/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.DeleteAsync($"{Base}/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_admins_manage_endpoints()
    {
        await (await factory.Client(null).GetAsync(Base)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await factory.Client(ApiFactory.AgentKey).GetAsync(Base)).AssertProblemAsync(HttpStatusCode.Forbidden);
        var post = await factory.Client(ApiFactory.AnalystKey).PostAsJsonAsync(Base, new { name = NewName(), url = PublicUrl, events = new[] { "*" } });
        await post.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    private static string NewName() => "hook-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<Guid> CreateAsync(string name)
    {
        var response = await _admin.PostAsJsonAsync(Base, new { name, url = PublicUrl, events = new[] { "*" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}

public sealed class SqliteWebhookEndpointTests(SqliteApiFactory factory) : WebhookEndpointTests<SqliteApiFactory>(factory);

public sealed class PostgresWebhookEndpointTests(PostgresApiFactory factory) : WebhookEndpointTests<PostgresApiFactory>(factory);
