using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Hardening;

/// <summary>
/// After erasure nothing answers differently for the erased content than for a guess of it: every repeat of an erased
/// item's key (or of its Idempotency-Key) answers 200 duplicate with the erased item's id, and nothing is stored again.
/// </summary>
public abstract class ErasedContentTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task A_repeat_of_an_erased_key_answers_the_same_whether_or_not_its_content_matches()
    {
        var source = FeedbackBuilder.NewSource();
        var item = FeedbackBuilder.Item(source, "erased-1", comment: "Call me on 555-0100", customer: "erased-" + source);
        var id = await _ingest.CreateAsync(item);

        // Before erasure the content is told apart: same is a duplicate, other is a conflict.
        Assert.Equal(HttpStatusCode.OK, (await _ingest.PostItemAsync(item)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _ingest.PostItemAsync(item.With("comment", "Call me on 555-0199"))).StatusCode);
        await EraseAsync(id);

        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var guess in new[] { item, item.With("comment", "Call me on 555-0199"), item.With("customer.email", "bob@example.com"), item.With("customer.name", "Bob") })
        {
            var response = await _ingest.PostItemAsync(guess);
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        Assert.Equal(id, JsonDocument.Parse(answers[0].Body).RootElement.GetProperty("id").GetGuid());
        Assert.Equal("duplicate", JsonDocument.Parse(answers[0].Body).RootElement.GetProperty("status").GetString());

        var batch = await (await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", new[] { item, item.With("comment", "guess") })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["duplicate", "duplicate"], batch.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()));
        var stored = Assert.Single(await _admin.AllAsync($"source={source}"));
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("comment").ValueKind);
    }

    [Fact]
    public async Task A_repeat_of_an_erased_items_idempotency_key_answers_the_same_whatever_its_content()
    {
        var source = FeedbackBuilder.NewSource();
        var item = FeedbackBuilder.Item(source, customer: "idem-" + source).Without("externalId").With("comment", "Secret detail");
        var key = Guid.NewGuid().ToString("N");
        var first = await PostWithKeyAsync(item, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Conflict, (await PostWithKeyAsync(item.With("comment", "Other detail"), key)).StatusCode);
        await EraseAsync(id);

        var same = await PostWithKeyAsync(item, key);
        var other = await PostWithKeyAsync(item.With("comment", "Other detail"), key);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (same.StatusCode, other.StatusCode));
        Assert.Equal(await same.Content.ReadAsStringAsync(), await other.Content.ReadAsStringAsync());
    }

    private async Task EraseAsync(Guid feedbackId)
    {
        var customer = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{feedbackId}")).GetProperty("customer").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{customer}")).StatusCode);
    }

    private Task<HttpResponseMessage> PostWithKeyAsync(System.Text.Json.Nodes.JsonNode item, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/feedback") { Content = JsonContent.Create(item) };
        request.Headers.Add("Idempotency-Key", key);
        return _ingest.SendAsync(request);
    }
}

public sealed class SqliteErasedContentTests(SqliteApiFactory factory) : ErasedContentTests<SqliteApiFactory>(factory);

public sealed class PostgresErasedContentTests(PostgresApiFactory factory) : ErasedContentTests<PostgresApiFactory>(factory);
