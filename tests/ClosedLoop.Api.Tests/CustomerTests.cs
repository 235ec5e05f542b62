using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests;

/// <summary>Customers: upserted from feedback (latest wins, history kept), exported, erased.</summary>
public abstract class CustomerTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task The_latest_submission_sets_the_attributes_and_every_version_is_kept()
    {
        var source = FeedbackBuilder.NewSource();
        var customer = "cust-" + source;
        var t0 = new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);
        var firstId = await _ingest.CreateAsync(FeedbackBuilder.Item(source, "a", score: 4, customer: customer, submittedAt: t0));
        await _ingest.CreateAsync(FeedbackBuilder.Item(source, "b", score: 9, customer: customer, submittedAt: t0.AddDays(10))
            .With("customer.region", "AMER").With("customer.email", "ada@new.example.com"));
        await _ingest.CreateAsync(FeedbackBuilder.Item(source, "c", score: 1, customer: customer, submittedAt: t0.AddDays(5))
            .With("customer.region", "APAC"));
        await _ingest.CreateAsync(FeedbackBuilder.Item(source, "d", score: null, comment: "later, no score", customer: customer, submittedAt: t0.AddDays(20)).Without("customer.email").Without("customer.region"));
        var customerId = await CustomerOf(firstId);

        var stored = await factory.Client(ApiFactory.AgentKey).GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}");

        Assert.Equal("AMER", stored.GetProperty("region").GetString());
        Assert.Equal("ada@new.example.com", stored.GetProperty("email").GetString());
        Assert.Equal(4, stored.GetProperty("feedbackCount").GetInt32());
        Assert.Equal(9, stored.GetProperty("lastScore").GetInt32());
        Assert.Equal(t0.AddDays(20), stored.GetProperty("lastFeedbackAt").GetDateTimeOffset());
        Assert.Equal(t0, stored.GetProperty("firstSeenAt").GetDateTimeOffset());
        Assert.Equal(4, stored.GetProperty("recentFeedback").GetArrayLength());

        var export = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/export");
        var regions = export.GetProperty("history").EnumerateArray().Select(v => v.GetProperty("region").GetString()).ToList();
        Assert.Equal(["EMEA", "APAC", "AMER"], regions);
        Assert.Equal(4, export.GetProperty("feedback").GetArrayLength());
    }

    [Fact]
    public async Task Erasure_removes_personal_data_keeps_aggregates_and_is_audited()
    {
        var source = FeedbackBuilder.NewSource();
        var customer = "erase-" + source;
        var item = FeedbackBuilder.Item(source, "x1", score: 2, comment: "My phone is 555-0100, call me", customer: customer);
        var id = await _ingest.CreateAsync(item);
        await _ingest.CreateAsync(FeedbackBuilder.Item(source, "x2", score: 10, comment: "Great", customer: customer));
        var customerId = await CustomerOf(id);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{customerId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{customerId}")).StatusCode);

        var stored = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}");
        Assert.NotEqual(JsonValueKind.Null, stored.GetProperty("erasedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("email").ValueKind);
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("name").ValueKind);
        Assert.DoesNotContain(customer, stored.GetProperty("externalId").GetString());
        Assert.Equal(2, stored.GetProperty("feedbackCount").GetInt32());

        var items = await factory.Client(ApiFactory.AnalystKey).AllAsync($"source={source}");
        Assert.Equal([2, 10], items.Select(i => i.GetProperty("score").GetInt32()).Order());
        Assert.All(items, i => Assert.Equal(JsonValueKind.Null, i.GetProperty("comment").ValueKind));
        Assert.All(items, i => Assert.Equal(JsonValueKind.Null, i.GetProperty("attributes").ValueKind));
        var export = await _admin.GetStringAsync($"/api/v1/customers/{customerId}/export");
        Assert.DoesNotContain("555-0100", export);
        Assert.DoesNotContain("ada@example.com", export);
        Assert.DoesNotContain("\"Ada\"", export);

        // Re-sending what was erased does not bring it back.
        var resend = await _ingest.PostItemAsync(item);
        Assert.Equal(HttpStatusCode.OK, resend.StatusCode);
        Assert.Equal(2, (await factory.Client(ApiFactory.AnalystKey).AllAsync($"source={source}")).Count);

        var audit = await _admin.GetStringAsync($"/api/v1/audit?action=customer.erased&pageSize=500");
        Assert.Contains(customerId.ToString(), audit);
    }

    [Fact]
    public async Task Customer_routes_check_roles_and_ids()
    {
        var id = await _ingest.CreateAsync(FeedbackBuilder.Item(FeedbackBuilder.NewSource()));
        var customerId = await CustomerOf(id);

        await (await factory.Client(ApiFactory.AnalystKey).GetAsync($"/api/v1/customers/{customerId}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await factory.Client(ApiFactory.AgentKey).GetAsync($"/api/v1/customers/{customerId}/export")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await factory.Client(ApiFactory.AgentKey).DeleteAsync($"/api/v1/customers/{customerId}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await _admin.GetAsync($"/api/v1/customers/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"/api/v1/customers/{Guid.NewGuid()}/export")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.DeleteAsync($"/api/v1/customers/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.GetAsync("/api/v1/customers/not-a-guid")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<Guid> CustomerOf(Guid feedbackId) =>
        (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{feedbackId}")).GetProperty("customer").GetProperty("id").GetGuid();
}

public sealed class SqliteCustomerTests(SqliteApiFactory factory) : CustomerTests<SqliteApiFactory>(factory);

public sealed class PostgresCustomerTests(PostgresApiFactory factory) : CustomerTests<PostgresApiFactory>(factory);
