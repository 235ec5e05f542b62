using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests;

/// <summary>Keys: created with a secret shown once, stored hashed, one role each, revocable; every change audited.</summary>
public abstract class ApiKeyTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Fact]
    public async Task Without_a_key_the_api_answers_401_problem_saying_what_to_send()
    {
        var response = await factory.Client(null).GetAsync("/api/v1/audit");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString());
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");
    }

    [Fact]
    public async Task A_wrong_key_is_401_problem()
    {
        var response = await factory.Client("cl_not-a-real-key").GetAsync("/api/v1/audit");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("not valid", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(ApiFactory.AgentKey, "agent")]
    [InlineData(ApiFactory.AnalystKey, "analyst")]
    [InlineData(ApiFactory.IngestKey, "ingest")]
    public async Task Other_roles_get_403_problem_naming_the_allowed_roles(string key, string role)
    {
        var response = await factory.Client(key).GetAsync("/api/v1/api-keys");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains($"({role})", problem.GetProperty("detail").GetString());
        Assert.Contains("admin", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_created_key_is_shown_once_works_for_its_role_and_is_never_listed_with_its_secret()
    {
        var admin = factory.Client(ApiFactory.AdminKey);

        var response = await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "reporting", role = "analyst" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var id = created.GetProperty("id").GetGuid();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.Equal($"/api/v1/api-keys/{id}", response.Headers.Location?.ToString());
        Assert.StartsWith("cl_", secret);
        Assert.True(secret.Length >= 40);
        Assert.StartsWith(created.GetProperty("prefix").GetString()!, secret);

        var listed = await admin.GetStringAsync("/api/v1/api-keys?pageSize=500");
        Assert.Contains(id.ToString(), listed);
        Assert.DoesNotContain(secret, listed);
        Assert.DoesNotContain("\"secret\"", listed);
        Assert.DoesNotContain("\"hash\"", listed);

        var analyst = factory.Client(secret);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync("/api/v1/nothing-here")).StatusCode);
        await (await analyst.GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_created_admin_key_can_administer_and_is_the_actor_in_the_audit()
    {
        var secret = await factory.CreateKeyAsync("admin", "second admin");
        var client = factory.Client(secret);

        var response = await client.PostAsJsonAsync("/api/v1/api-keys", new { name = "made-by-second-admin", role = "ingest" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var audit = JsonDocument.Parse(await client.GetStringAsync("/api/v1/audit?action=api-key.created&pageSize=500")).RootElement;
        var entry = audit.GetProperty("items").EnumerateArray().First(e => e.GetProperty("actorName").GetString() == "second admin");
        Assert.Equal("admin", entry.GetProperty("actorRole").GetString());
        Assert.Equal(201, entry.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once_and_revocation_is_audited()
    {
        var admin = factory.Client(ApiFactory.AdminKey);
        var created = await (await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "to revoke", role = "admin" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetGuid();
        var victim = factory.Client(created.GetProperty("secret").GetString());
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync("/api/v1/audit")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/api-keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/api-keys/{id}")).StatusCode);

        await (await victim.GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        var active = await admin.GetStringAsync("/api/v1/api-keys?pageSize=500");
        Assert.DoesNotContain(id.ToString(), active);
        var all = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/api-keys?includeRevoked=true&pageSize=500")).RootElement;
        var revoked = all.GetProperty("items").EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == id);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal("Development admin", revoked.GetProperty("revokedBy").GetString());

        var audit = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/audit?action=api-key.revoked&pageSize=500")).RootElement;
        Assert.Equal(2, audit.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("target").GetString() == id.ToString()));
        var creation = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/audit?action=api-key.created&pageSize=500")).RootElement;
        Assert.Single(creation.GetProperty("items").EnumerateArray(), e => e.GetProperty("target").GetString() == id.ToString());
    }

    [Fact]
    public async Task An_expired_key_is_401()
    {
        var secret = await factory.SeedKeyAsync("admin", DateTimeOffset.UtcNow.AddMinutes(-1));

        await (await factory.Client(secret).GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Revoking_an_unknown_key_is_404_problem()
    {
        var response = await factory.Client(ApiFactory.AdminKey).DeleteAsync($"/api/v1/api-keys/{Guid.NewGuid()}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invalid_key_requests_are_422_with_field_errors_and_write_nothing()
    {
        var admin = factory.Client(ApiFactory.AdminKey);
        var before = await admin.GetStringAsync("/api/v1/audit?pageSize=500");

        var response = await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = new string('n', 101), role = "superuser", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) });
        var empty = await admin.PostAsJsonAsync("/api/v1/api-keys", new { });

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["expiresAt", "name", "role"], problem.ErrorFields().Order());
        var emptyProblem = await empty.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["name", "role"], emptyProblem.ErrorFields().Order());
        Assert.DoesNotContain(new string('n', 101), await admin.GetStringAsync("/api/v1/api-keys?includeRevoked=true&pageSize=500"));
        var after = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/audit?pageSize=500")).RootElement;
        Assert.Equal(JsonDocument.Parse(before).RootElement.GetProperty("totalCount").GetInt64(), after.GetProperty("totalCount").GetInt64());
    }
}

public sealed class SqliteApiKeyTests(SqliteApiFactory factory) : ApiKeyTests<SqliteApiFactory>(factory);

public sealed class PostgresApiKeyTests(PostgresApiFactory factory) : ApiKeyTests<PostgresApiFactory>(factory);
