using System.Text.RegularExpressions;
using ClosedLoop.Bench.Cases.Queries;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Cases.Plans;

/// <summary>
/// One query through an API process that logs its SQL (and, on PostgreSQL, connects with auto_explain): follows the
/// cursor to the deep page where asked, asks for the page, reads back the statements it ran and their plans, and
/// checks that the hand-written SQL returns the same page.
/// </summary>
internal sealed partial class PageCapture(
    Provider provider, ApiLister lister, EfCommandLog efLog, PostgresPlanLog planLog, HandWrittenSql sql, string connectionString, int deepPages)
{
    /// <summary>Longer than the console logger's and the server log tail's flush intervals.</summary>
    private static readonly TimeSpan LogDelay = TimeSpan.FromMilliseconds(800);

    public async Task<CapturedQuery> CaptureAsync(ListQuery query, CancellationToken cancellationToken)
    {
        var apiQuery = query.ApiQuery;
        PagePosition? after = null;
        if (query.Deep)
        {
            string? cursor = null;
            for (var page = 1; page < deepPages; page++)
            {
                var walked = await lister.GetAsync(cursor is null ? apiQuery : $"{apiQuery}&cursor={Uri.EscapeDataString(cursor)}", query.AsAgent, cancellationToken);
                cursor = walked.NextCursor ?? throw new BenchException($"{query.Label}: no page after page {page}; seed more cases or ask for fewer --deep-pages.");
                after = walked.Last;
            }

            apiQuery = $"{apiQuery}&cursor={Uri.EscapeDataString(cursor!)}";
        }

        await Task.Delay(LogDelay, cancellationToken);
        var efMark = efLog.Mark();
        var planMark = planLog.Mark();
        var apiPage = await lister.GetAsync(apiQuery, query.AsAgent, cancellationToken);
        await Task.Delay(LogDelay, cancellationToken);
        var commands = efLog.CommandsSince(efMark).Where(TouchesCases).ToList();
        var pageStatements = commands.Where(c => CasesTable().IsMatch(c)).ToList();
        var pageVerdicts = new List<PlanVerdict>();
        var otherFullScan = false;
        if (provider == Provider.PostgreSql)
        {
            foreach (var plan in planLog.PlansSince(planMark).Where(p => TouchesCases(p.Sql)))
            {
                var summary = PlanVerdict.FromPostgres(plan.Plan);
                if (CasesTable().IsMatch(plan.Sql))
                {
                    pageVerdicts.Add(summary);
                }
                else
                {
                    otherFullScan |= summary.FullScan;
                }
            }
        }
        else
        {
            foreach (var command in commands)
            {
                var summary = await PlanVerdict.FromSqliteAsync(connectionString, command, cancellationToken);
                if (pageStatements.Contains(command))
                {
                    pageVerdicts.Add(summary);
                }
                else
                {
                    otherFullScan |= summary.FullScan;
                }
            }
        }

        var sqlPage = await sql.RunAsync(query, after, cancellationToken);
        var same = apiPage.Ids.SequenceEqual(sqlPage.Ids) && apiPage.Topics == sqlPage.Topics && (apiPage.NextCursor is not null) == sqlPage.HasNext;
        return new CapturedQuery(
            apiQuery, after, apiPage, same, PlanVerdict.Merge(pageVerdicts), otherFullScan, string.Join(" ; then ", pageStatements), await sql.ExplainAsync(query, after, cancellationToken));
    }

    /// <summary>The API's statement shortened for the report: the select list of the case columns left out.</summary>
    public static string Shorten(string sql) => SelectList().Replace(sql.ReplaceLineEndings(" "), "SELECT <columns> FROM");

    private static bool TouchesCases(string sql) => sql.Contains("cases.case", StringComparison.Ordinal) || sql.Contains("\"cases_case", StringComparison.Ordinal);

    [GeneratedRegex(@"FROM (cases\.cases|""cases_cases"") ")]
    private static partial Regex CasesTable();

    [GeneratedRegex(@"SELECT .*? FROM(?= (cases\.cases|""cases_cases"") )")]
    private static partial Regex SelectList();
}

/// <summary>
/// What the capture found for one query: the query string the timed pass sends (with the cursor for deep pages),
/// where the previous page ended (for the SQL's keyset predicate), the API's page, whether the SQL returned the same
/// page, the plan of the API's page statements, whether another statement (topics) scanned a whole table, the API's
/// SQL, and the hand-written SQL's plan.
/// </summary>
internal sealed record CapturedQuery(
    string ApiQuery, PagePosition? After, ApiPage ApiPage, bool Same, PlanVerdict? Verdict, bool OtherFullScan, string ApiSql, PlanVerdict SqlPlan);
