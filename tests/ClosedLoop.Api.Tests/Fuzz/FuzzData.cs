using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Fuzz;

/// <summary>Real resources created through the API before fuzzing, so that ids in paths and bodies sometimes hit something.</summary>
internal sealed class FuzzData
{
    public List<Guid> FeedbackIds { get; } = [];

    public List<Guid> CaseIds { get; } = [];

    public List<Guid> CustomerIds { get; } = [];

    public List<Guid> ImportIds { get; } = [];

    public List<Guid> ApiKeyIds { get; } = [];

    public List<string> AgentUserIds { get; } = [];

    public List<string> TeamIds { get; } = [];

    public List<string> TeamKeys { get; } = ["cx-emea", "triage"];

    public List<string> RuleSetNames { get; } = [];

    public List<string> RootCauseKeys { get; } = [];

    public List<string> Sources { get; } = [];

    public List<string> Cursors { get; } = [];

    public List<string> ETags { get; } = [];

    public IEnumerable<Guid> AllIds => FeedbackIds.Concat(CaseIds).Concat(CustomerIds).Concat(ImportIds).Concat(ApiKeyIds);

    /// <summary>The known ids of the resource a route names, by its path.</summary>
    public IReadOnlyList<string> IdsFor(string path, string parameter) => path switch
    {
        _ when path.StartsWith("/api/v1/cases", StringComparison.Ordinal) => [.. CaseIds.Select(g => g.ToString())],
        _ when path.StartsWith("/api/v1/customers", StringComparison.Ordinal) => [.. CustomerIds.Select(g => g.ToString())],
        _ when path.StartsWith("/api/v1/feedback", StringComparison.Ordinal) => [.. FeedbackIds.Select(g => g.ToString())],
        _ when path.StartsWith("/api/v1/imports", StringComparison.Ordinal) => [.. ImportIds.Select(g => g.ToString())],
        _ when path.StartsWith("/api/v1/api-keys", StringComparison.Ordinal) => [.. ApiKeyIds.Select(g => g.ToString())],
        _ when path.StartsWith("/api/v1/teams", StringComparison.Ordinal) => [.. TeamIds, .. TeamKeys],
        _ when path.StartsWith("/api/v1/rule-sets", StringComparison.Ordinal) => RuleSetNames,
        _ when path.StartsWith("/api/v1/root-causes", StringComparison.Ordinal) => RootCauseKeys,
        _ => [.. AllIds.Select(g => g.ToString())],
    } is { Count: > 0 } ids ? ids : [parameter];

    public static async Task<FuzzData> CreateAsync(ApiFactory factory)
    {
        var data = new FuzzData();
        var admin = factory.Client(ApiFactory.AdminKey);
        var ingest = factory.Client(ApiFactory.IngestKey);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var agent = await admin.CreateAgentAsync("fuzz agent " + suffix);
        data.AgentUserIds.Add(agent.UserId);
        data.ApiKeyIds.Add(Guid.Parse(agent.UserId));

        var team = await admin.CreateTeamAsync(new
        {
            key = "fuzz-" + suffix,
            name = "Fuzz team",
            timeZone = "Europe/Berlin",
            businessHours = new[] { new { day = "monday", open = "09:00", close = "17:30" } },
            holidays = new[] { "2026-12-24" },
            slaTargets = new Dictionary<string, object> { ["urgent"] = new { firstResponseHours = 2, resolutionHours = 8 } },
            members = new[] { new { userId = agent.UserId, name = "Fuzz Agent", level = "frontline" } },
        });
        data.TeamKeys.Add(team.GetProperty("key").GetString()!);
        if (team.TryGetProperty("id", out var teamId))
        {
            data.TeamIds.Add(teamId.ToString());
        }

        var cause = await admin.PostAsJsonAsync("/api/v1/root-causes", new { key = "fuzz-cause-" + suffix, name = "Fuzz cause", description = "Created by the fuzz test." });
        Assert.True(cause.IsSuccessStatusCode, await cause.Content.ReadAsStringAsync());
        data.RootCauseKeys.Add("fuzz-cause-" + suffix);

        // Detractors open cases (routed by the seeded rules); the first one moves to the fuzz team.
        var opened = await Task.WhenAll(new[] { (1, "Delivery was two weeks late."), (3, "The price went up again, I will cancel."), (0, "Nobody answers my emails.") }
            .Select(item => ingest.OpenCaseAsync(admin, score: item.Item1, comment: item.Item2)));
        foreach (var c in opened)
        {
            data.CaseIds.Add(c.Id());
            data.FeedbackIds.Add(c.GetProperty("feedbackId").GetGuid());
            data.CustomerIds.Add(c.GetProperty("customerId").GetGuid());
        }

        await admin.ActOkAsync(data.CaseIds[0], "assign", new { team = data.TeamKeys[^1], assigneeId = agent.UserId });
        var promoter = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: 10, comment: null);
        data.Sources.Add(promoter["source"]!.GetValue<string>());
        data.FeedbackIds.Add(await ingest.CreateAsync(promoter));

        var csv = "externalId,score,comment,customerExternalId,region\r\nfz-1,4,Late again,fz-c1,EMEA\r\nfz-2,9,Great,fz-c2,APAC\r\n";
        var location = await ImportApi.StartAsync(ingest, ImportApi.Body(csv, "text/csv"), "?source=fuzz-import-" + suffix);
        data.ImportIds.Add(Guid.Parse(location.Split('/')[^1]));
        data.Sources.Add("fuzz-import-" + suffix);

        var sets = await admin.GetFromJsonAsync<JsonElement>("/api/v1/rule-sets?pageSize=50");
        data.RuleSetNames.AddRange(sets.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("name").GetString()!));

        foreach (var list in new[] { "/api/v1/feedback?pageSize=1", "/api/v1/cases?pageSize=1" })
        {
            var page = await admin.GetFromJsonAsync<JsonElement>(list);
            if (page.GetProperty("nextCursor").GetString() is { } cursor)
            {
                data.Cursors.Add(cursor);
            }
        }

        var shown = await admin.GetAsync($"/api/v1/cases/{data.CaseIds[1]}");
        data.ETags.Add(shown.Headers.ETag?.ToString() ?? "\"1\"");
        return data;
    }
}
