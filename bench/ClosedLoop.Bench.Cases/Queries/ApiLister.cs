using System.Globalization;
using System.Net;
using System.Text.Json;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Cases.Queries;

/// <summary>
/// <c>GET /api/v1/cases</c> as the admin (who sees every case) or, for a query with a viewer, as the agent; each over
/// its one keep-alive connection.
/// </summary>
internal sealed class ApiLister(HttpClient admin, HttpClient agent)
{
    private static readonly string[] PriorityNames = ["low", "normal", "high", "urgent"];

    /// <summary>
    /// The timed call: the whole response is read, as a client must before it can show anything. Returns the
    /// milliseconds the API reports for the endpoint itself (<c>Server-Timing: app;dur=…</c>: the query, the topics,
    /// the mapping; not HTTP, not the JSON body).
    /// </summary>
    public async Task<double> FetchAsync(string query, bool asAgent, CancellationToken cancellationToken)
    {
        using var response = await (asAgent ? agent : admin).GetAsync(new Uri("api/v1/cases?" + query, UriKind.Relative), HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchException($"GET /api/v1/cases?{query} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        return ServerMilliseconds(response);
    }

    private static double ServerMilliseconds(HttpResponseMessage response)
    {
        const string prefix = "app;dur=";
        var value = response.Headers.TryGetValues("Server-Timing", out var values) ? values.FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal)) : null;
        return value is not null && double.TryParse(value.AsSpan(prefix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : throw new BenchException("The API answered without Server-Timing: app;dur=…; run this bench against a build that sends it.");
    }

    /// <summary>The page read for checking: ids in order, the next cursor, and where the page ended.</summary>
    public async Task<ApiPage> GetAsync(string query, bool asAgent, CancellationToken cancellationToken)
    {
        using var response = await (asAgent ? agent : admin).GetAsync(new Uri("api/v1/cases?" + query, UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchException($"GET /api/v1/cases?{query} answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        var items = json.RootElement.GetProperty("items");
        var ids = new List<Guid>();
        PagePosition? last = null;
        var topics = 0;
        foreach (var item in items.EnumerateArray())
        {
            var id = item.GetProperty("id").GetGuid();
            ids.Add(id);
            topics += item.GetProperty("topics").GetArrayLength();
            var due = item.GetProperty("dueAt") is { ValueKind: JsonValueKind.String } dueAt
                ? DateTimeOffset.Parse(dueAt.GetString()!, CultureInfo.InvariantCulture).ToUniversalTime()
                : Seeding.CaseFaker.NothingDue;
            last = new PagePosition(Array.IndexOf(PriorityNames, item.GetProperty("priority").GetString()), due, id);
        }

        var next = json.RootElement.GetProperty("nextCursor") is { ValueKind: JsonValueKind.String } cursor ? cursor.GetString() : null;
        return new ApiPage(ids, next, last, topics, body.Length);
    }
}

/// <summary>A page as the API answered it.</summary>
internal sealed record ApiPage(IReadOnlyList<Guid> Ids, string? NextCursor, PagePosition? Last, int Topics, int Bytes);
