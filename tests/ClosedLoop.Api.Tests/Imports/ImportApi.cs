using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedLoop.Api.Platform.Data;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Tests.Imports;

/// <summary>Drives imports through the public API: upload, poll, and read back what was stored.</summary>
internal static class ImportApi
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    public static ByteArrayContent Body(string text, string contentType, bool byteOrderMark = false)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var content = new ByteArrayContent(byteOrderMark ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>Uploads and returns the Location to poll, asserting the 202 answer's shape.</summary>
    public static async Task<string> StartAsync(HttpClient client, HttpContent body, string query = "")
    {
        var response = await client.PostAsync("/api/v1/imports" + query, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {text}");
        var location = response.Headers.Location?.ToString();
        Assert.NotNull(location);
        var accepted = JsonDocument.Parse(text).RootElement;
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.Equal(location, accepted.GetProperty("statusUrl").GetString());
        Assert.Equal($"/api/v1/imports/{accepted.GetProperty("id").GetGuid()}", location);
        Assert.Equal(body.Headers.ContentLength, accepted.GetProperty("totalBytes").GetInt64());
        return location;
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string location)
    {
        var response = await client.GetAsync(location);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Polls as the Swagger text tells callers to, until the import completes or fails.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient client, string location, string expected = "completed")
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var import = await GetAsync(client, location + "?errorsPageSize=500");
            var status = import.GetProperty("status").GetString();
            if (status is "completed" or "failed")
            {
                Assert.True(expected == status, $"Expected {expected}: {import}");
                return import;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Import still {status} after {Patience}: {import}");
            await Task.Delay(200);
        }
    }

    public static void AssertCounts(JsonElement import, long rowsRead, long accepted, long duplicates, long conflicts, long rejected)
    {
        var actual = new[] { "rowsRead", "accepted", "duplicates", "conflicts", "rejected" }.Select(p => import.GetProperty(p).GetInt64()).ToArray();
        Assert.Equal([rowsRead, accepted, duplicates, conflicts, rejected], actual);
    }

    /// <summary>The kept errors as (line, outcome, reason), in the order the API lists them.</summary>
    public static List<(long Line, string Outcome, string Reason)> Errors(JsonElement import) =>
        import.GetProperty("errors").GetProperty("items").EnumerateArray()
            .Select(e => (e.GetProperty("line").GetInt64(), e.GetProperty("outcome").GetString()!, e.GetProperty("reason").GetString()!))
            .ToList();

    /// <summary>Every stored item of a source, following the keyset cursor to the end.</summary>
    public static async Task<List<JsonElement>> FeedbackAsync(HttpClient reader, string source)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await reader.GetFromJsonAsync<JsonElement>(
                $"/api/v1/feedback?source={Uri.EscapeDataString(source)}&pageSize=500" + (cursor is null ? "" : $"&cursor={cursor}"));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return items;
    }

    /// <summary>Stored pieces of an upload still in the database (they are deleted when the import completes).</summary>
    public static async Task<int> StoredChunksAsync(ApiFactory factory, Guid importId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        return factory.Provider == DatabaseProvider.Sqlite
            ? await db.Database.SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM feedback_import_chunks WHERE \"ImportId\" = {SqliteGuid(importId)}").SingleAsync()
            : await db.Database.SqlQuery<int>($"SELECT COUNT(*)::int AS \"Value\" FROM feedback.import_chunks WHERE \"ImportId\" = {importId}").SingleAsync();
    }

    /// <summary>
    /// Leaves the import leased to a worker that no longer exists until <paramref name="until"/>: what a
    /// crashed host leaves behind (a stopped one hands its import back).
    /// </summary>
    public static async Task LeaseToVanishedWorkerAsync(ApiFactory factory, Guid importId, DateTimeOffset until)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var updated = factory.Provider == DatabaseProvider.Sqlite
            ? await db.Database.ExecuteSqlAsync($"UPDATE feedback_imports SET \"LockToken\" = {SqliteGuid(Guid.NewGuid())}, \"LockedUntil\" = {until.UtcTicks} WHERE \"Id\" = {SqliteGuid(importId)}")
            : await db.Database.ExecuteSqlAsync($"UPDATE feedback.imports SET \"LockToken\" = {Guid.NewGuid()}, \"LockedUntil\" = {until.ToUniversalTime()} WHERE \"Id\" = {importId}");
        Assert.Equal(1, updated);
    }

    /// <summary>EF stores GUIDs on SQLite as upper-case text (and dates as UTC ticks).</summary>
    private static string SqliteGuid(Guid id) => id.ToString().ToUpperInvariant();
}
