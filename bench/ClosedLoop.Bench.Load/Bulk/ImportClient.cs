using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Load.Bulk;

/// <summary>How one import ended, as <c>GET /api/v1/imports/{id}</c> reported it, and how long it took end to end.</summary>
internal sealed record ImportResult(TimeSpan Elapsed, string Status, long RowsRead, long Accepted, long Duplicates, long Rejected, string Body);

/// <summary>
/// Uploads a CSV file to <c>POST /api/v1/imports</c> (streamed from disk, never held in memory), then polls
/// the job's Location until its status is completed or failed. The clock runs from the first byte sent to
/// the poll that sees it completed.
/// </summary>
internal static class ImportClient
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<ImportResult> ImportAsync(HttpClient http, string csvPath, TimeSpan timeout, Action<string>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Uri location;
        await using (var file = new FileStream(csvPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            using var content = new StreamContent(file, 1 << 16);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
            using var response = await http.PostAsync(new Uri("api/v1/imports", UriKind.Relative), content, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is null)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new BenchException($"POST /api/v1/imports answered {(int)response.StatusCode} (expected 202 with a Location): {body}");
            }

            location = response.Headers.Location;
        }

        var lastProgress = TimeSpan.Zero;
        while (clock.Elapsed < timeout)
        {
            var body = await http.GetStringAsync(location, cancellationToken);
            var result = Parse(body, clock.Elapsed);
            if (result.Status is "completed" or "failed")
            {
                return result;
            }

            if (progress is not null && clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(10))
            {
                lastProgress = clock.Elapsed;
                progress($"{clock.Elapsed.TotalSeconds:0} s: {result.Status}, {result.RowsRead:N0} rows read, {result.Accepted:N0} accepted");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        throw new BenchException($"The import at {location} did not complete within {timeout.TotalMinutes:0} minutes.");
    }

    private static ImportResult Parse(string body, TimeSpan elapsed)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        return new ImportResult(
            elapsed,
            root.TryGetProperty("status", out var status) ? (status.GetString() ?? "").ToLowerInvariant() : "",
            Count(root, "rowsRead"),
            Count(root, "accepted"),
            Count(root, "duplicates"),
            Count(root, "rejected"),
            body);
    }

    private static long Count(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}
