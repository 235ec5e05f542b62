using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Workflows;

/// <summary>An instance as the list returns it.</summary>
internal sealed record InstanceRow(Guid Id, int Version, Guid CaseId, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt);

/// <summary>One entry of an instance's log.</summary>
internal sealed record LogEntry(int Sequence, string ActivityId, string Outcome, DateTimeOffset At);

/// <summary>What the bench reads of an instance's detail.</summary>
internal sealed record InstanceView(string Status, IReadOnlyList<string> WaitingOn, IReadOnlyList<LogEntry> Log);

/// <summary>The API calls the bench makes, over loopback, as the product's clients make them.</summary>
internal sealed class LoopApi(HttpClient ingest, HttpClient admin, string runTag)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private int _posted;

    /// <summary>Saves <paramref name="json"/> as the draft of the routed loop and publishes it; its version.</summary>
    public async Task<int> PublishAsync(string json, CancellationToken cancellationToken)
    {
        var uri = new Uri($"api/v1/workflow-definitions/{Loops.DefinitionId}", UriKind.Relative);
        using (var content = new StringContent(json, Encoding.UTF8, "application/json"))
        using (var put = await admin.PutAsync(uri, content, cancellationToken))
        {
            await EnsureAsync(put, "PUT workflow definition", cancellationToken);
        }

        using var publish = await admin.PostAsync(new Uri($"api/v1/workflow-definitions/{Loops.DefinitionId}/publish", UriKind.Relative), null, cancellationToken);
        await EnsureAsync(publish, "POST publish", cancellationToken);
        using var body = JsonDocument.Parse(await publish.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.GetProperty("version").GetInt32();
    }

    /// <summary>
    /// <paramref name="count"/> detractor items from as many new customers, on <paramref name="workers"/> workers;
    /// each opens a case whose loop starts.
    /// </summary>
    public async Task PostDetractorsAsync(int count, int workers, CancellationToken cancellationToken)
    {
        var next = -1;
        var failures = 0;
        string? firstFailure = null;
        var tasks = Enumerable.Range(0, workers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var n = Interlocked.Increment(ref _posted);
                var body = new
                {
                    source = "bench-workflows",
                    externalId = $"{runTag}-{n}",
                    channel = "email",
                    submittedAt = DateTimeOffset.UtcNow,
                    score = 2,
                    comment = "The parcel arrived two weeks late and nobody answered my emails.",
                    customer = new
                    {
                        externalId = $"wf-{runTag}-{n}",
                        email = $"wf-{runTag}-{n}@example.com",
                        name = $"Customer {n}",
                        region = "EMEA",
                        segment = "smb",
                        language = "en",
                        accountValue = 1000,
                    },
                };
                using var response = await ingest.PostAsJsonAsync(new Uri("api/v1/feedback", UriKind.Relative), body, Json, cancellationToken);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref failures);
                    firstFailure ??= $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                }
            }
        }).ToList();
        await Task.WhenAll(tasks);
        if (failures > 0)
        {
            throw new BenchException($"{failures} of {count} feedback posts failed; first: {firstFailure}");
        }
    }

    /// <summary>The routed loop's instances of <paramref name="version"/> in <paramref name="status"/> created since <paramref name="since"/> (newest first, paged with the cursor).</summary>
    public async Task<List<InstanceRow>> InstancesAsync(int version, string status, DateTimeOffset since, CancellationToken cancellationToken) =>
        await InstancesAsync(Loops.DefinitionId, version, status, since, cancellationToken);

    /// <summary>As above for any loop (<paramref name="definitionId"/> null) and any version (<paramref name="version"/> null).</summary>
    public async Task<List<InstanceRow>> InstancesAsync(string? definitionId, int? version, string status, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = new List<InstanceRow>();
        string? cursor = null;
        do
        {
            var query = $"api/v1/workflow-instances?status={status}&pageSize=500" + (definitionId is null ? "" : $"&definitionId={definitionId}") + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            using var response = await admin.GetAsync(new Uri(query, UriKind.Relative), cancellationToken);
            await EnsureAsync(response, "GET workflow-instances", cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var older = false;
            foreach (var item in body.RootElement.GetProperty("items").EnumerateArray())
            {
                var row = new InstanceRow(
                    item.GetProperty("id").GetGuid(),
                    item.GetProperty("version").GetInt32(),
                    item.GetProperty("caseId").GetGuid(),
                    item.GetProperty("status").GetString()!,
                    item.GetProperty("createdAt").GetDateTimeOffset(),
                    item.GetProperty("updatedAt").GetDateTimeOffset(),
                    item.GetProperty("finishedAt").ValueKind == JsonValueKind.Null ? null : item.GetProperty("finishedAt").GetDateTimeOffset());
                if (row.CreatedAt < since)
                {
                    older = true;
                    break;
                }

                if (version is null || row.Version == version)
                {
                    rows.Add(row);
                }
            }

            cursor = older ? null : body.RootElement.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return rows;
    }

    public async Task<InstanceView> InstanceAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await admin.GetAsync(new Uri($"api/v1/workflow-instances/{id}", UriKind.Relative), cancellationToken);
        await EnsureAsync(response, "GET workflow-instance", cancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = body.RootElement;
        return new InstanceView(
            root.GetProperty("status").GetString()!,
            [.. root.GetProperty("waitingOn").EnumerateArray().Select(b => b.GetProperty("activityId").GetString()!)],
            [.. root.GetProperty("log").EnumerateArray().Select(e => new LogEntry(
                e.GetProperty("sequence").GetInt32(), e.GetProperty("activityId").GetString()!, e.GetProperty("outcome").GetString()!, e.GetProperty("at").GetDateTimeOffset()))]);
    }

    public async Task AcknowledgeAsync(Guid caseId, CancellationToken cancellationToken)
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync(new Uri($"api/v1/cases/{caseId}/acknowledge", UriKind.Relative), content, cancellationToken);
        await EnsureAsync(response, "POST acknowledge", cancellationToken);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public static string Format(double value, string format = "N1") => value.ToString(format, CultureInfo.InvariantCulture);
}
