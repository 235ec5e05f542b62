using System.Text;
using System.Text.Json;
using Npgsql;

namespace ClosedLoop.Bench.Cases.Plans;

/// <summary>
/// The plans PostgreSQL actually ran for the API: the capture pass connects the API with
/// <c>auto_explain</c> loaded for its sessions only (<see cref="WithAutoExplain"/>), and this collects the server
/// log, where each of the API's statements leaves its query text and its plan with actual row counts (JSON).
/// </summary>
internal sealed class PostgresPlanLog
{
    private readonly List<string> _lines = [];

    /// <summary>Feeds <c>LocalPostgres</c>'s log callback.</summary>
    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    public int Mark()
    {
        lock (_lines)
        {
            return _lines.Count;
        }
    }

    /// <summary>The API's connection string with every statement's plan logged (analysed, without per-node timing).</summary>
    public static string WithAutoExplain(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        Options = "-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_format=json "
            + "-c auto_explain.log_analyze=on -c auto_explain.log_timing=off -c auto_explain.log_buffers=on",
    }.ConnectionString;

    /// <summary>Plans logged since <paramref name="mark"/>: the statement text and the plan's root node.</summary>
    public IReadOnlyList<LoggedPlan> PlansSince(int mark)
    {
        string[] lines;
        lock (_lines)
        {
            lines = [.. _lines.Skip(mark)];
        }

        var plans = new List<LoggedPlan>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Contains("duration:", StringComparison.Ordinal) || !lines[i].TrimEnd().EndsWith("plan:", StringComparison.Ordinal))
            {
                continue;
            }

            var json = new StringBuilder();
            while (i + 1 < lines.Length && lines[i + 1].StartsWith('\t'))
            {
                json.AppendLine(lines[++i][1..]);
            }

            using var document = JsonDocument.Parse(json.ToString());
            plans.Add(new LoggedPlan(document.RootElement.GetProperty("Query Text").GetString() ?? "", document.RootElement.GetProperty("Plan").Clone()));
        }

        return plans;
    }
}

/// <summary>One statement the API ran, with its plan.</summary>
internal sealed record LoggedPlan(string Sql, JsonElement Plan);
