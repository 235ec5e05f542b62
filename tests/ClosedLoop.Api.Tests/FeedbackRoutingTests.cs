using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Tests;

/// <summary>
/// Feedback as it arrives is scored for sentiment and routed by the default rule sets (seeded from rules/ at
/// start), and the decision with its explanation is stored, returned and published: the examples of
/// rules/README.md, end to end through the API.
/// </summary>
public abstract class FeedbackRoutingTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _agent = factory.Client(ApiFactory.AgentKey);

    [Fact]
    public async Task A_late_delivery_from_an_EMEA_detractor_goes_to_recovery_with_the_EMEA_team()
    {
        var routed = await RouteAsync(2, "Delivery was two weeks late and the courier left the parcel in the rain.", "EMEA", "smb", 5_000);

        Assert.Equal(["delivery"], Topics(routed));
        var decision = routed.GetProperty("routing").GetProperty("decision");
        Assert.True(decision.GetProperty("openCase").GetBoolean());
        Assert.Equal("high", decision.GetProperty("priority").GetString());
        Assert.Equal("cx-emea", decision.GetProperty("team").GetString());
        Assert.Equal(24, decision.GetProperty("slaHours").GetInt32());
        Assert.Equal("frontline", decision.GetProperty("escalationLevel").GetString());
        Assert.Equal("detractor-recovery", decision.GetProperty("loop").GetString());
        Assert.False(routed.GetProperty("routing").GetProperty("fallback").GetBoolean());
        Assert.Equal("negative", routed.GetProperty("sentiment").GetProperty("label").GetString());
        Assert.True(routed.GetProperty("sentiment").GetProperty("score").GetDouble() < -0.05);
    }

    [Fact]
    public async Task A_high_value_enterprise_billing_detractor_is_urgent_for_billing_specialists_at_management_level()
    {
        var routed = await RouteAsync(1, "I was charged twice and support never called back.", "NA", "enterprise", 250_000);

        Assert.Equal(["billing", "support-experience"], Topics(routed));
        var decision = routed.GetProperty("routing").GetProperty("decision");
        Assert.Equal("urgent", decision.GetProperty("priority").GetString());
        Assert.Equal("billing-specialists", decision.GetProperty("team").GetString());
        Assert.Equal(4, decision.GetProperty("slaHours").GetInt32());
        Assert.Equal("management", decision.GetProperty("escalationLevel").GetString());
        Assert.Equal(["enterprise", "high-value"], decision.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal));

        // The explanation names the rule that set each value, and the ones it overrode.
        var routing = routed.GetProperty("routing").GetProperty("ruleSets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "routing");
        Assert.Equal("evaluated", routing.GetProperty("outcome").GetString());
        Assert.True(routing.GetProperty("version").GetInt32() >= 1);
        var highValue = routing.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "detractor-high-value");
        Assert.Contains(highValue.GetProperty("contributions").EnumerateArray(), c => c.GetProperty("property").GetString() == "priority" && c.GetProperty("status").GetString() == "applied");
        var plain = routing.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "detractor");
        Assert.Contains(plain.GetProperty("contributions").EnumerateArray(), c => c.GetProperty("property").GetString() == "priority" && c.GetProperty("status").GetString() == "overridden");
        Assert.Contains("promoter", routing.GetProperty("notHeld").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task A_promoter_who_turns_detractor_is_tagged_at_risk_from_the_customers_last_score()
    {
        var customer = "c-" + Guid.NewGuid().ToString("N")[..8];
        await RouteAsync(10, "Great service.", "APAC", "smb", 800, customer, new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.Zero));
        var routed = await RouteAsync(5, "The app keeps crashing when I log in.", "APAC", "smb", 800, customer, new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));

        Assert.Equal(["account-access", "reliability"], Topics(routed));
        var decision = routed.GetProperty("routing").GetProperty("decision");
        Assert.Equal("cx-apac", decision.GetProperty("team").GetString());
        Assert.Equal(["at-risk"], decision.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
    }

    [Fact]
    public async Task Promoters_get_an_unassigned_case_and_the_advocacy_loop()
    {
        var routed = await RouteAsync(10, "Love it, fast delivery and great quality!", "US", "smb", 900);

        Assert.Equal(["delivery", "product-quality"], Topics(routed));
        var decision = routed.GetProperty("routing").GetProperty("decision");
        Assert.True(decision.GetProperty("openCase").GetBoolean());
        Assert.False(decision.GetProperty("assign").GetBoolean());
        Assert.Equal(("low", "frontline"), (decision.GetProperty("priority").GetString(), decision.GetProperty("escalationLevel").GetString()));
        Assert.Equal("promoter-advocacy", decision.GetProperty("loop").GetString());
        Assert.Equal("cx-north-america", decision.GetProperty("team").GetString());
        Assert.Equal("positive", routed.GetProperty("sentiment").GetProperty("label").GetString());
    }

    [Fact]
    public async Task Items_of_a_large_batch_are_routed_too_and_can_be_listed_by_topic()
    {
        var source = FeedbackBuilder.NewSource();
        var items = Enumerable.Range(0, 60).Select(i => FeedbackBuilder.Item(source, $"b-{i}", score: i % 11,
            comment: i % 2 == 0 ? "The invoice was wrong again." : "Nice people.", customer: $"batch-{source}-{i % 7}")).ToArray();
        var response = await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", items);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var billing = await _agent.AllAsync($"source={source}&topic=BILLING");
        Assert.Equal(30, billing.Count);
        Assert.All(billing, b => Assert.Contains("billing", Topics(b)));
        var all = await _agent.AllAsync($"source={source}");
        Assert.Equal(60, all.Count);
        Assert.All(all, b =>
        {
            var routing = b.GetProperty("routing");
            Assert.False(routing.GetProperty("fallback").GetBoolean());
            var billingDetractor = b.GetProperty("score").GetInt32() <= 6 && Topics(b).Contains("billing");
            Assert.Equal(billingDetractor ? "billing-specialists" : "cx-emea", routing.GetProperty("decision").GetProperty("team").GetString());
        });
    }

    [Fact]
    public async Task Each_stored_item_publishes_FeedbackRouted_with_its_decision_and_explanation()
    {
        var routed = await RouteAsync(3, "Nobody answered my emails.", "EMEA", "smb", 100_000);
        var id = routed.GetProperty("id").GetGuid();

        var events = await RoutedEventsAsync(id);

        var payload = JsonDocument.Parse(Assert.Single(events)).RootElement;
        Assert.Equal(id, payload.GetProperty("feedbackId").GetGuid());
        var decision = payload.GetProperty("decision");
        Assert.True(decision.GetProperty("openCase").GetBoolean());
        Assert.Equal("urgent", decision.GetProperty("priority").GetString());
        Assert.Equal(["support-experience"], decision.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal(routed.GetProperty("sentiment").GetProperty("label").GetString(), payload.GetProperty("sentiment").GetString());
        Assert.Contains(payload.GetProperty("ruleSets").EnumerateArray(), s => s.GetProperty("name").GetString() == "routing" && s.GetProperty("outcome").GetString() == "evaluated");
        var explanation = JsonDocument.Parse(payload.GetProperty("explanation").GetString()!).RootElement;
        Assert.Equal(routed.GetProperty("routing").GetProperty("decision").GetRawText(), explanation.GetProperty("decision").GetRawText());
    }

    private async Task<JsonElement> RouteAsync(int? score, string comment, string region, string segment, decimal accountValue, string? customer = null, DateTimeOffset? submittedAt = null)
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: score, comment: comment, customer: customer ?? "c-" + Guid.NewGuid().ToString("N")[..8], submittedAt: submittedAt)
            .With("customer.region", region)
            .With("customer.segment", segment)
            .With("customer.accountValue", JsonValue.Create(accountValue));
        var id = await _ingest.CreateAsync(item);
        var response = await _agent.GetAsync($"/api/v1/feedback/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string> Topics(JsonElement item) => [.. item.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!)];

    private async Task<List<string>> RoutedEventsAsync(Guid id)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Platform.Data.PlatformDbContext>();
        var table = factory.Provider == DatabaseProvider.Sqlite ? "feedback_outbox_messages" : "feedback.outbox_messages";
        var sql = $"SELECT \"Payload\" AS \"Value\" FROM {table} WHERE \"Type\" LIKE '%FeedbackRoutedIntegrationEvent'";
        var all = await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
        return [.. all.Where(p => p.Contains(id.ToString()))];
    }
}

public sealed class SqliteFeedbackRoutingTests(SqliteApiFactory factory) : FeedbackRoutingTests<SqliteApiFactory>(factory);

public sealed class PostgresFeedbackRoutingTests(PostgresApiFactory factory) : FeedbackRoutingTests<PostgresApiFactory>(factory);
