using System.Data.Common;
using System.Runtime.CompilerServices;
using ClosedLoop.Bench.Cases.Plans;
using ClosedLoop.Bench.Cases.Seeding;
using ClosedLoop.Bench.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace ClosedLoop.Bench.Cases.Queries;

/// <summary>
/// What an engineer would write by hand for the same page: one statement for the page's cases (the columns the
/// API reads for a list item, <see cref="ListColumns"/>; the filter, the team by a subquery on its key, an agent's visibility as EXISTS on the team memberships; the order; <c>LIMIT 51</c> to know
/// whether a next page exists; after a cursor, a row-value keyset predicate, and for sort=priority the rest of the
/// cursor's priority and the lower priorities as two limited ranges in one UNION ALL) and one for their topics, on a
/// pooled connection opened per page, with the API's SQLite page cache. Every value of every row is read into memory, as a mapper would.
/// </summary>
internal sealed class HandWrittenSql(Provider provider, string connectionString, int sqliteCacheMiB)
{
    // SQLite native connections given the API's page cache: once each, as the API does (the pool keeps them open).
    private static readonly ConditionalWeakTable<object, object> CacheSet = new();

    /// <summary>What the API selects for a list (ClosedLoop.Cases' CaseListRow): the item's fields and the cursor's.</summary>
    public static readonly IReadOnlyList<string> ListColumns =
    [
        "Id", "FeedbackId", "CustomerId", "Status", "Priority", "Level", "TeamKey", "AssigneeId", "AssigneeName", "Loop",
        "Tags", "Score", "Category", "Sentiment", "OpenedAt", "LastActivityAt", "DueSort", "Version",
    ];

    private readonly CasesSchema _schema = new(provider);

    public Provider Provider => provider;

    /// <summary>The page's case statement, for the report.</summary>
    public string CasesSql(ListQuery query, PagePosition? after) => Build(query, after, DateTimeOffset.UtcNow).Sql;

    public async Task<SqlPage> RunAsync(ListQuery query, PagePosition? after, CancellationToken cancellationToken)
    {
        var (sql, parameters) = Build(query, after, DateTimeOffset.UtcNow);
        await using var connection = Open();
        await connection.OpenAsync(cancellationToken);
        if (connection is SqliteConnection { Handle: { } handle } && !CacheSet.TryGetValue(handle, out _))
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA cache_size = -{sqliteCacheMiB * 1024}";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            CacheSet.AddOrUpdate(handle, pragma);
        }

        var ids = new List<Guid>(ListQuery.PageSize + 1);
        var rows = new List<object[]>(ListQuery.PageSize + 1);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.Add(Parameter(name, value));
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(values);
                ids.Add(values[0] is Guid id ? id : Guid.Parse((string)values[0]));
            }
        }

        var shown = ids.Take(ListQuery.PageSize).ToList();
        var topics = new Dictionary<Guid, List<string>>();
        if (shown.Count > 0)
        {
            await using var command = connection.CreateCommand();
            if (provider == Provider.PostgreSql)
            {
                command.CommandText = $"SELECT \"CaseId\", \"Topic\" FROM {_schema.Topics} WHERE \"CaseId\" = ANY(@ids)";
                command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = shown.ToArray() });
            }
            else
            {
                command.CommandText = $"SELECT \"CaseId\", \"Topic\" FROM {_schema.Topics} WHERE \"CaseId\" IN ({string.Join(", ", shown.Select((_, i) => $"@i{i}"))})";
                for (var i = 0; i < shown.Count; i++)
                {
                    command.Parameters.Add(new SqliteParameter($"@i{i}", SqliteSeeder.SqliteValue(shown[i])));
                }
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var caseId = reader.GetValue(0) is Guid id ? id : Guid.Parse(reader.GetString(0));
                if (!topics.TryGetValue(caseId, out var list))
                {
                    topics[caseId] = list = [];
                }

                list.Add(reader.GetString(1));
            }
        }

        return new SqlPage(shown, rows.Count > ListQuery.PageSize, topics.Values.Sum(t => t.Count));
    }

    /// <summary>The plan of the page's case statement: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite.</summary>
    public async Task<PlanVerdict> ExplainAsync(ListQuery query, PagePosition? after, CancellationToken cancellationToken)
    {
        var (sql, parameters) = Build(query, after, DateTimeOffset.UtcNow);
        if (provider == Provider.Sqlite)
        {
            return await PlanVerdict.FromSqliteAsync(connectionString, sql, cancellationToken);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value));
        }

        var json = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return PlanVerdict.FromPostgres(document.RootElement[0].GetProperty("Plan"));
    }

    private DbConnection Open() => provider == Provider.PostgreSql ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);

    private (string Sql, List<(string Name, object Value)> Parameters) Build(ListQuery query, PagePosition? after, DateTimeOffset now)
    {
        var where = new List<string>();
        var parameters = new List<(string, object)>();
        var filter = query.Filter;
        if (filter.OpenOnly)
        {
            if (provider == Provider.PostgreSql)
            {
                where.Add("c.\"Status\" = ANY(@statuses)");
                parameters.Add(("statuses", ListFilter.OpenStatuses.ToArray()));
            }
            else
            {
                where.Add($"c.\"Status\" IN ({string.Join(", ", ListFilter.OpenStatuses.Select((_, i) => $"@s{i}"))})");
                parameters.AddRange(ListFilter.OpenStatuses.Select((s, i) => ($"s{i}", (object)s)));
            }
        }

        if (filter.TeamKey is { } team)
        {
            where.Add($"c.\"TeamId\" = (SELECT t.\"Id\" FROM {_schema.Teams} t WHERE t.\"Key\" = @team)");
            parameters.Add(("team", team));
        }

        if (filter.Assignee is { } assignee)
        {
            where.Add("c.\"AssigneeId\" = @assignee");
            parameters.Add(("assignee", assignee));
        }

        if (filter.Overdue)
        {
            where.Add("c.\"DueSort\" < @now");
            parameters.Add(("now", now));
        }

        if (filter.CustomerId is { } customer)
        {
            where.Add("c.\"CustomerId\" = @customer");
            parameters.Add(("customer", customer));
        }

        if (filter.Topic is { } topic)
        {
            where.Add($"EXISTS (SELECT 1 FROM {_schema.Topics} t WHERE t.\"CaseId\" = c.\"Id\" AND t.\"Topic\" = @topic)");
            parameters.Add(("topic", topic));
        }

        if (filter.Viewer is { } viewer)
        {
            // An agent sees the cases of the teams they are a member of, at their level there and below.
            where.Add($"EXISTS (SELECT 1 FROM {_schema.TeamMembers} m WHERE m.\"UserId\" = @viewer AND m.\"TeamId\" = c.\"TeamId\" AND m.\"Level\" >= c.\"Level\")");
            parameters.Add(("viewer", viewer));
        }

        var columns = string.Join(", ", ListColumns.Select(name => $"c.\"{name}\""));
        string Select(IEnumerable<string> conditions, string order)
        {
            var all = conditions.ToList();
            return $"SELECT {columns} FROM {_schema.Cases} c{(all.Count == 0 ? "" : " WHERE " + string.Join(" AND ", all))} ORDER BY {order} LIMIT {ListQuery.PageSize + 1}";
        }

        const string byDue = "c.\"DueSort\", c.\"Id\"";
        const string byPriority = "c.\"Priority\" DESC, c.\"DueSort\", c.\"Id\"";
        string sql;
        if (after is null)
        {
            sql = Select(where, query.ByPriority ? byPriority : byDue);
        }
        else
        {
            // Row values compare (DueSort, Id) as the index orders them, so the page starts with an index seek.
            parameters.Add(("due", after.Due));
            parameters.Add(("id", after.Id));
            const string afterDue = "(c.\"DueSort\", c.\"Id\") > (@due, @id)";
            if (query.ByPriority)
            {
                // Priority down but due time up: no one range starts at the cursor, so the rest of its priority and
                // the lower priorities are two ranges, each limited, merged.
                parameters.Add(("priority", after.Priority));
                sql = $"""
                    SELECT * FROM ({Select([.. where, "c.\"Priority\" = @priority", afterDue], byDue)}) same_priority
                    UNION ALL
                    SELECT * FROM ({Select([.. where, "c.\"Priority\" < @priority"], byPriority)}) lower_priority
                    ORDER BY "Priority" DESC, "DueSort", "Id" LIMIT {ListQuery.PageSize + 1}
                    """;
            }
            else
            {
                sql = Select([.. where, afterDue], byDue);
            }
        }

        return (sql, parameters);
    }

    private DbParameter Parameter(string name, object value) => provider == Provider.PostgreSql
        ? new NpgsqlParameter(name, value)
        : new SqliteParameter("@" + name, SqliteSeeder.SqliteValue(value));
}

/// <summary>The ids of a page (in order), whether there is a next one, and how many topics came with it.</summary>
internal sealed record SqlPage(IReadOnlyList<Guid> Ids, bool HasNext, int Topics);
