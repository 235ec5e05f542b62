using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClosedLoop.Api.Tests.Infrastructure;

/// <summary>Realistic feedback bodies, each in its own source so tests never see each other's items.</summary>
internal static class FeedbackBuilder
{
    public static string NewSource() => "test-" + Guid.NewGuid().ToString("N")[..12];

    public static JsonObject Item(string source, string? externalId = null, int? score = 3, string? comment = "Delivery was two weeks late.", string customer = "c-42", DateTimeOffset? submittedAt = null) =>
        new()
        {
            ["source"] = source,
            ["externalId"] = externalId ?? Guid.NewGuid().ToString("N"),
            ["channel"] = "email",
            ["submittedAt"] = (submittedAt ?? new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero)).ToString("O"),
            ["score"] = score,
            ["comment"] = comment,
            ["customer"] = new JsonObject
            {
                ["externalId"] = customer,
                ["email"] = "ada@example.com",
                ["name"] = "Ada",
                ["region"] = "EMEA",
                ["segment"] = "enterprise",
                ["language"] = "en",
                ["accountValue"] = 120000,
            },
            ["attributes"] = new JsonObject { ["product"] = "shop", ["orderId"] = "A-77" },
        };

    public static JsonObject With(this JsonObject item, string path, JsonNode? value)
    {
        var copy = item.DeepClone().AsObject();
        var parts = path.Split('.');
        var target = copy;
        foreach (var part in parts[..^1])
        {
            target = target[part]!.AsObject();
        }

        target[parts[^1]] = value;
        return copy;
    }

    public static JsonObject Without(this JsonObject item, string path)
    {
        var copy = item.DeepClone().AsObject();
        var parts = path.Split('.');
        var target = copy;
        foreach (var part in parts[..^1])
        {
            target = target[part]!.AsObject();
        }

        target.Remove(parts[^1]);
        return copy;
    }

    public static Task<HttpResponseMessage> PostItemAsync(this HttpClient client, JsonNode item) =>
        client.PostAsJsonAsync("/api/v1/feedback", item);

    public static async Task<Guid> CreateAsync(this HttpClient client, JsonNode item)
    {
        var response = await client.PostItemAsync(item);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>Every item of a source, following the cursor to the end.</summary>
    public static Task<List<JsonElement>> AllAsync(this HttpClient client, string query, int pageSize = 500) =>
        client.AllPagesAsync($"/api/v1/feedback?{query}", pageSize);

    /// <summary>Every item of a cursor-paged list (<c>items</c>, <c>nextCursor</c>), following the cursor to the end.</summary>
    public static async Task<List<JsonElement>> AllPagesAsync(this HttpClient client, string pathAndQuery, int pageSize = 500)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var url = $"{pathAndQuery}&pageSize={pageSize}" + (cursor is null ? "" : $"&cursor={cursor}");
            var page = JsonDocument.Parse(await client.GetStringAsync(url)).RootElement;
            items.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return items;
    }
}
