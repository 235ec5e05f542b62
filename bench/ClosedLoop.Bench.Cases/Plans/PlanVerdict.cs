using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace ClosedLoop.Bench.Cases.Plans;

/// <summary>
/// How one statement reads the cases tables: the access paths in plan order, whether any of them reads a whole
/// of the two big tables (PostgreSQL <c>Seq Scan</c>; SQLite <c>SCAN</c> without an index; the ten-row teams table
/// does not count), whether rows are sorted
/// after reading, and (PostgreSQL, from the analysed plan) how many rows of <c>cases</c> it touched.
/// </summary>
internal sealed partial record PlanVerdict(string Access, bool FullScan, bool Sorts, long? CaseRowsRead)
{
    /// <summary>Several statements (a page read in two ranges) as one.</summary>
    public static PlanVerdict? Merge(IReadOnlyList<PlanVerdict> verdicts) => verdicts.Count switch
    {
        0 => null,
        1 => verdicts[0],
        _ => new PlanVerdict(
            string.Join(" | ", verdicts.Select(v => v.Access)),
            verdicts.Any(v => v.FullScan),
            verdicts.Any(v => v.Sorts),
            verdicts.All(v => v.CaseRowsRead is not null) ? verdicts.Sum(v => v.CaseRowsRead) : null),
    };

    public string Describe() => $"{(FullScan ? "FULL SCAN: " : "")}{Access}{(Sorts ? " + sort" : "")}";

    /// <summary>Summarises a PostgreSQL plan (auto_explain JSON, analysed).</summary>
    public static PlanVerdict FromPostgres(JsonElement root)
    {
        var access = new List<string>();
        var fullScan = false;
        var sorts = false;
        long rows = 0;
        Walk(root);
        return new PlanVerdict(string.Join("; ", access.Distinct()), fullScan, sorts, rows);

        void Walk(JsonElement node)
        {
            var type = node.GetProperty("Node Type").GetString() ?? "";
            var relation = node.TryGetProperty("Relation Name", out var r) ? r.GetString() : null;
            var index = node.TryGetProperty("Index Name", out var i) ? i.GetString() : null;
            if (type is "Sort" or "Incremental Sort")
            {
                sorts = true;
            }

            if (relation is not null || index is not null)
            {
                var target = index is null ? relation : $"{index}";
                access.Add($"{type} {target}");
                fullScan |= type == "Seq Scan" && relation is ("cases" or "case_topics");
                if (relation == "cases" || (index?.StartsWith("IX_cases_", StringComparison.Ordinal) ?? false) || index == "PK_cases")
                {
                    var loops = Number(node, "Actual Loops", 1);
                    rows += (Number(node, "Actual Rows", 0) + Number(node, "Rows Removed by Filter", 0) + Number(node, "Rows Removed by Index Recheck", 0)) * loops;
                }
            }

            if (node.TryGetProperty("Plans", out var children))
            {
                foreach (var child in children.EnumerateArray())
                {
                    Walk(child);
                }
            }
        }
    }

    /// <summary>Runs <c>EXPLAIN QUERY PLAN</c> for an EF statement on SQLite (parameters NULL: without STAT4 the plan does not depend on them).</summary>
    public static async Task<PlanVerdict> FromSqliteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in ParameterPattern().Matches(sql).Select(m => m.Value).Distinct())
        {
            command.Parameters.AddWithValue(name, DBNull.Value);
        }

        var aliases = AliasPattern().Matches(sql).GroupBy(m => m.Groups[2].Value).ToDictionary(g => g.Key, g => g.First().Groups[1].Value);
        var details = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                details.Add(reader.GetString(3));
            }
        }

        var access = new List<string>();
        var fullScan = false;
        var sorts = false;
        foreach (var detail in details)
        {
            if (detail.StartsWith("USE TEMP B-TREE", StringComparison.Ordinal))
            {
                sorts = true;
                continue;
            }

            var match = AccessPattern().Match(detail);
            if (!match.Success)
            {
                continue;
            }

            var table = aliases.GetValueOrDefault(match.Groups[2].Value, match.Groups[2].Value);
            var how = match.Groups[3].Value;
            access.Add($"{match.Groups[1].Value} {table}{(how.Length > 0 ? " " + how.Trim() : "")}");
            fullScan |= match.Groups[1].Value == "SCAN" && table is ("cases_cases" or "cases_case_topics") && !how.Contains("INDEX", StringComparison.Ordinal);
        }

        return new PlanVerdict(string.Join("; ", access), fullScan, sorts, null);
    }

    private static long Number(JsonElement node, string name, long fallback) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? (long)value.GetDouble() : fallback;

    public string RowsText => CaseRowsRead is { } rows ? rows.ToString("N0", CultureInfo.InvariantCulture) : "–";

    [GeneratedRegex(@"@\w+")]
    private static partial Regex ParameterPattern();

    [GeneratedRegex("\"(\\w+)\" AS \"(\\w+)\"")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^(SCAN|SEARCH) (\w+)(.*)$")]
    private static partial Regex AccessPattern();
}
