using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication.Consent;

/// <summary>
/// <c>GET/PUT /api/v1/customers/{id}/consent</c>: the configured defaults until a choice is recorded, partial changes,
/// 404 for unknown customers, 409 for erased ones, 422 without a purpose, admin only, and audited when it changes something.
/// </summary>
public abstract class ConsentEndpointTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task The_defaults_apply_until_a_choice_is_recorded_and_a_change_keeps_the_purpose_it_leaves_out()
    {
        var customer = await TestCustomers.CreateAsync(_admin);

        var before = await TestCustomers.ConsentAsync(_admin, customer);
        Assert.Equal((true, true, "default"), Read(before));
        Assert.Equal(JsonValueKind.Null, before.GetProperty("updatedAt").ValueKind);

        var put = await _admin.PutAsJsonAsync($"/api/v1/customers/{customer}/consent", new { marketing = false });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var answered = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((true, false, "recorded"), Read(answered));
        Assert.Equal(customer, answered.GetProperty("customerId").GetGuid());
        Assert.False(string.IsNullOrEmpty(answered.GetProperty("updatedBy").GetString()));

        var after = await TestCustomers.ConsentAsync(_admin, customer);
        Assert.Equal(answered.GetRawText(), after.GetRawText());

        var both = await (await _admin.PutAsJsonAsync($"/api/v1/customers/{customer}/consent", new { transactional = false, marketing = true }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((false, true, "recorded"), Read(both));
    }

    [Fact]
    public async Task A_change_is_audited_once_and_a_repeat_changes_nothing()
    {
        var customer = await TestCustomers.CreateAsync(_admin);

        var first = await (await _admin.PutAsJsonAsync($"/api/v1/customers/{customer}/consent", new { marketing = false })).Content.ReadFromJsonAsync<JsonElement>();
        var repeat = await _admin.PutAsJsonAsync($"/api/v1/customers/{customer}/consent", new { marketing = false });

        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var second = await repeat.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.GetProperty("updatedAt").GetString(), second.GetProperty("updatedAt").GetString());
        var audit = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=customer.consent-changed&pageSize=500");
        var entries = audit.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("target").GetString() == customer.ToString()).ToList();
        var entry = Assert.Single(entries);
        Assert.Equal("transactional=true, marketing=false", entry.GetProperty("details").GetString());
    }

    [Fact]
    public async Task An_unknown_customer_is_404_and_an_erased_one_cannot_be_given_consent()
    {
        var unknown = Guid.NewGuid();
        await (await _admin.GetAsync($"/api/v1/customers/{unknown}/consent")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.PutAsJsonAsync($"/api/v1/customers/{unknown}/consent", new { marketing = true })).AssertProblemAsync(HttpStatusCode.NotFound);

        var erased = await TestCustomers.CreateAsync(_admin);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{erased}")).StatusCode);
        var problem = await (await _admin.PutAsJsonAsync($"/api/v1/customers/{erased}/consent", new { marketing = true })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("customer-erased", problem.GetProperty("code").GetString());
        Assert.Equal("default", (await TestCustomers.ConsentAsync(_admin, erased)).GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"marketing\":null}")]
    [InlineData("{\"transactional\":null,\"marketing\":null}")]
    [InlineData("")]
    public async Task A_change_without_a_purpose_is_422(string body)
    {
        var customer = await TestCustomers.CreateAsync(_admin);

        var response = await _admin.PutAsync($"/api/v1/customers/{customer}/consent", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["body"], problem.ErrorFields());
        Assert.Equal("default", (await TestCustomers.ConsentAsync(_admin, customer)).GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("{\"marketing\":\"no\"}", "marketing")]
    [InlineData("{\"marketing\":false,\"email\":false}", "email")]
    public async Task A_body_of_the_wrong_shape_is_refused_naming_the_member(string body, string field)
    {
        var customer = await TestCustomers.CreateAsync(_admin);

        var response = await _admin.PutAsync($"/api/v1/customers/{customer}/consent", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}");
        var problem = await response.AssertProblemAsync(response.StatusCode);
        Assert.Contains(problem.ErrorFields(), f => f.Contains(field, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Only_admins_read_or_change_consent()
    {
        var customer = await TestCustomers.CreateAsync(_admin);

        foreach (var key in new[] { ApiFactory.AgentKey, ApiFactory.AnalystKey, ApiFactory.IngestKey })
        {
            var client = factory.Client(key);
            await (await client.GetAsync($"/api/v1/customers/{customer}/consent")).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await client.PutAsJsonAsync($"/api/v1/customers/{customer}/consent", new { marketing = false })).AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        await (await factory.Client(null).GetAsync($"/api/v1/customers/{customer}/consent")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("default", (await TestCustomers.ConsentAsync(_admin, customer)).GetProperty("source").GetString());
    }

    [Fact]
    public async Task Swagger_documents_the_consent_routes_and_the_public_unsubscribe_link()
    {
        var paths = (await _admin.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json")).GetProperty("paths");

        var consent = paths.GetProperty("/api/v1/customers/{id}/consent");
        Assert.Equal("Consent", consent.GetProperty("put").GetProperty("tags")[0].GetString());
        Assert.Equal("Consent", consent.GetProperty("get").GetProperty("tags")[0].GetString());
        var link = paths.GetProperty("/u/{token}");
        Assert.Equal("Unsubscribe", link.GetProperty("get").GetProperty("tags")[0].GetString());
        Assert.Equal("Unsubscribe", link.GetProperty("post").GetProperty("tags")[0].GetString());
        Assert.False(link.GetProperty("get").TryGetProperty("security", out _));
        Assert.Contains("withdraws", link.GetProperty("get").GetProperty("description").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    private static (bool Transactional, bool Marketing, string? Source) Read(JsonElement consent) =>
        (consent.GetProperty("transactional").GetBoolean(), consent.GetProperty("marketing").GetBoolean(), consent.GetProperty("source").GetString());
}

public sealed class SqliteConsentEndpointTests(SqliteApiFactory factory) : ConsentEndpointTests<SqliteApiFactory>(factory);

public sealed class PostgresConsentEndpointTests(PostgresApiFactory factory) : ConsentEndpointTests<PostgresApiFactory>(factory);
