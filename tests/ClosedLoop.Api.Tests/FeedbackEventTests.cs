using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Tests;

/// <summary>Every stored item, and only those, leaves one FeedbackReceived event in the Feedback outbox.</summary>
public abstract class FeedbackEventTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Fact]
    public async Task Created_items_publish_one_event_each_and_repeats_or_rejections_none()
    {
        var ingest = factory.Client(ApiFactory.IngestKey);
        var source = FeedbackBuilder.NewSource();
        var item = FeedbackBuilder.Item(source, "one", score: 2);
        var id = await ingest.CreateAsync(item);
        await ingest.PostItemAsync(item);
        await ingest.PostItemAsync(FeedbackBuilder.Item(source, "one", score: 7));
        var batch = await (await ingest.PostAsJsonAsync("/api/v1/feedback/batch", new[]
        {
            FeedbackBuilder.Item(source, "two", score: 10),
            FeedbackBuilder.Item(source, "bad").With("score", 99),
            item,
        })).Content.ReadFromJsonAsync<JsonElement>();
        var second = batch.GetProperty("items")[0].GetProperty("id").GetGuid();

        var events = await EventsAsync();

        var mine = events.Where(e => e.Contains(id.ToString()) || e.Contains(second.ToString())).ToList();
        Assert.Equal(2, mine.Count);
        Assert.Single(mine, e => e.Contains(id.ToString()) && e.Contains("\"category\":\"detractor\"") && e.Contains("\"score\":2"));
        Assert.Single(mine, e => e.Contains(second.ToString()) && e.Contains("\"category\":\"promoter\""));
    }

    private async Task<List<string>> EventsAsync()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Platform.Data.PlatformDbContext>();
        var sql = factory.Provider == DatabaseProvider.Sqlite
            ? "SELECT \"Payload\" AS \"Value\" FROM feedback_outbox_messages WHERE \"Type\" LIKE '%FeedbackReceivedIntegrationEvent'"
            : "SELECT \"Payload\" AS \"Value\" FROM feedback.outbox_messages WHERE \"Type\" LIKE '%FeedbackReceivedIntegrationEvent'";
        return await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
    }
}

public sealed class SqliteFeedbackEventTests(SqliteApiFactory factory) : FeedbackEventTests<SqliteApiFactory>(factory);

public sealed class PostgresFeedbackEventTests(PostgresApiFactory factory) : FeedbackEventTests<PostgresApiFactory>(factory);
