using System.Text;
using System.Text.Json;

namespace ClosedLoop.Api.Tests.Fuzz;

/// <summary>What the fuzzer saw: counts, and the failures grouped by operation, status and cause, each with its first reproduction.</summary>
internal sealed class FuzzReport
{
    private readonly Dictionary<string, Group> _failures = [];
    private readonly SortedDictionary<int, int> _statuses = [];
    private readonly Dictionary<string, TimeSpan> _time = [];
    private readonly Dictionary<string, (TimeSpan Took, string Mutation)> _slowest = [];

    public int Sent { get; private set; }

    public int FailureCount => _failures.Values.Sum(g => g.Count);

    /// <summary>Checks one answer: never 5xx, and every error a problem document.</summary>
    public void Check(FuzzRequest request, int status, string? mediaType, string body, TimeSpan took)
    {
        _time[request.Operation.Name] = _time.GetValueOrDefault(request.Operation.Name) + took;
        var slowest = _slowest.GetValueOrDefault(request.Operation.Name);
        if (took > slowest.Took)
        {
            _slowest[request.Operation.Name] = (took, request.Mutation);
        }

        Sent++;
        _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        var (title, detail, exception) = Describe(body);
        if (status >= 500)
        {
            Add(request, $"{status}", $"{title}: {exception ?? detail}");
        }
        else if (status >= 400 && mediaType != "application/problem+json")
        {
            Add(request, $"{status} not a problem", $"Content-Type {mediaType ?? "(none)"}, body: {FuzzRequest.Shorten(body, 120)}");
        }
        else if (status >= 400 && title is null && request.Method != "HEAD")
        {
            Add(request, $"{status} problem without title", FuzzRequest.Shorten(body, 120));
        }
    }

    /// <summary>The request failed in the client: an exception out of the test server, or no answer in time.</summary>
    public void Threw(FuzzRequest request, Exception exception)
    {
        Sent++;
        var first = exception is TaskCanceledException ? "no answer in time" : $"{exception.GetType().Name}: {exception.Message}";
        Add(request, "threw", FuzzRequest.Shorten(first.Split('\n')[0], 300));
    }

    public string Statuses() => string.Join(", ", _statuses.Select(s => $"{s.Key}×{s.Value}"));

    /// <summary>Where the time went: the operations that took longest in all, with their slowest request.</summary>
    public string Slowest(int count) => string.Join("; ", _time.OrderByDescending(t => t.Value).Take(count)
        .Select(t => $"{t.Key} {t.Value.TotalSeconds:0.0} s (max {_slowest[t.Key].Took.TotalSeconds:0.00} s, {_slowest[t.Key].Mutation})"));

    public string Failures()
    {
        var text = new StringBuilder();
        foreach (var group in _failures.Values.OrderBy(g => g.Kind, StringComparer.Ordinal).ThenBy(g => g.Operations.Min, StringComparer.Ordinal))
        {
            var operations = string.Join(", ", group.Operations.Take(6)) + (group.Operations.Count > 6 ? $" and {group.Operations.Count - 6} more" : "");
            text.AppendLine($"- {group.Kind} ×{group.Count} on {operations} (roles {string.Join(",", group.Roles)}; mutations {string.Join(",", group.Mutations.Take(8))})");
            text.AppendLine($"    cause: {group.Cause}");
            text.AppendLine($"    repro: {group.Reproduction}");
        }

        return text.ToString();
    }

    private void Add(FuzzRequest request, string kind, string cause)
    {
        // One group per status and cause (where it was thrown; ids and numbers left out), so a bug shows once with
        // every operation it breaks.
        var key = $"{kind}|{System.Text.RegularExpressions.Regex.Replace(cause, "[0-9a-f-]{8,}|\\d+", "#")}";
        if (!_failures.TryGetValue(key, out var group))
        {
            _failures[key] = group = new Group(kind, FuzzRequest.Shorten(cause, 400), request.Reproduction());
        }

        group.Count++;
        group.Operations.Add(request.Operation.Name);
        group.Roles.Add(request.Role);
        group.Mutations.Add(request.Mutation);
    }

    private static (string? Title, string? Detail, string? Exception) Describe(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            return (Text("title"), Text("detail"), Text("exception") is { } exception ? Origin(exception) : null);
        }
        catch (JsonException)
        {
            return (null, FuzzRequest.Shorten(body, 200), null);
        }
    }

    /// <summary>The exception's first line and the product frame nearest to where it was thrown.</summary>
    private static string Origin(string exception)
    {
        var lines = exception.Split('\n', StringSplitOptions.TrimEntries);
        var frame = lines.FirstOrDefault(l => l.StartsWith("at ClosedLoop.", StringComparison.Ordinal));
        return frame is null ? lines[0] : $"{lines[0]} [{frame.Split(" in ")[0]}]";
    }

    private sealed class Group(string kind, string cause, string reproduction)
    {
        public string Kind => kind;

        public string Cause => cause;

        public string Reproduction => reproduction;

        public int Count { get; set; }

        public SortedSet<string> Operations { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Roles { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Mutations { get; } = new(StringComparer.Ordinal);
    }
}
