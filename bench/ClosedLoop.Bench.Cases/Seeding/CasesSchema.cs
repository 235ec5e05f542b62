using System.Data.Common;
using ClosedLoop.Bench.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClosedLoop.Bench.Cases.Seeding;

/// <summary>Where the Cases module keeps its tables on each provider (schema <c>cases</c>, or the <c>cases_</c> prefix on SQLite).</summary>
internal sealed record CasesSchema(Provider Provider)
{
    public string Cases => Provider == Provider.Sqlite ? "\"cases_cases\"" : "cases.cases";

    public string Topics => Provider == Provider.Sqlite ? "\"cases_case_topics\"" : "cases.case_topics";

    public string Teams => Provider == Provider.Sqlite ? "\"cases_teams\"" : "cases.teams";

    public string TeamMembers => Provider == Provider.Sqlite ? "\"cases_team_members\"" : "cases.team_members";

    /// <summary>The columns the seeder writes and the SQL reads, in order, quoted.</summary>
    public string ColumnList => string.Join(", ", CaseColumn.All.Select(c => $"\"{c.Name}\""));

    /// <summary>
    /// Compares the live cases table with <see cref="CaseColumn.All"/>: a NOT NULL column without a default that the
    /// seeder does not write, or a column it writes that does not exist, stops the run. Returns the columns left NULL.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckColumnsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Provider == Provider.Sqlite
            ? "SELECT name, \"notnull\", dflt_value IS NOT NULL FROM pragma_table_info('cases_cases')"
            : "SELECT column_name::text, is_nullable = 'NO', column_default IS NOT NULL FROM information_schema.columns WHERE table_schema = 'cases' AND table_name = 'cases'";
        var table = new List<(string Name, bool NotNull, bool HasDefault)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                table.Add((reader.GetString(0), Convert.ToBoolean(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture), Convert.ToBoolean(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        if (table.Count == 0)
        {
            throw new BenchException($"No {Cases} table; did the API's migrations run?");
        }

        var written = CaseColumn.All.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var missing = table.Where(c => c.NotNull && !c.HasDefault && !written.Contains(c.Name)).Select(c => c.Name).ToList();
        var unknown = written.Where(name => table.All(c => c.Name != name)).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
        {
            throw new BenchException($"The seeder does not match {Cases}: NOT NULL columns it does not write: [{string.Join(", ", missing)}]; columns it writes that the table lacks: [{string.Join(", ", unknown)}]. Update Seeding/CaseRow.cs.");
        }

        return [.. table.Where(c => !written.Contains(c.Name)).Select(c => c.Name)];
    }

    /// <summary>The teams the API seeded and the bench created, by key, each given a share of the cases and five agents.</summary>
    public async Task<IReadOnlyList<SeedTeam>> ReadTeamsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using DbConnection connection = Provider == Provider.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"Id\", \"Key\" FROM {Teams} ORDER BY \"Key\"";
        var teams = new List<(Guid Id, string Key)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                teams.Add((reader.GetValue(0) is Guid id ? id : Guid.Parse(reader.GetString(0)), reader.GetString(1)));
            }
        }

        if (teams.Count < 2 || teams.All(t => t.Key != "cx-emea"))
        {
            throw new BenchException($"Expected the seeded teams (cx-emea among them) in {Teams}; found [{string.Join(", ", teams.Select(t => t.Key))}].");
        }

        return [.. teams.Select((t, i) => new SeedTeam(
            t.Id, t.Key, CaseFaker.TeamWeights.GetValueOrDefault(t.Key, 10), [.. Enumerable.Range((i * 5) + 1, 5).Select(CaseFaker.AgentId)]))];
    }
}
