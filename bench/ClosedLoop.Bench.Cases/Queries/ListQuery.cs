namespace ClosedLoop.Bench.Cases.Queries;

/// <summary>The filters of <c>GET /api/v1/cases</c> a query uses; the API's query string and the SQL are both built from it.</summary>
internal sealed record ListFilter
{
    public static IReadOnlyList<string> OpenStatuses { get; } = ["New", "Acknowledged", "InProgress", "WaitingOnCustomer"];

    public bool OpenOnly { get; init; }

    public string? TeamKey { get; init; }

    public string? Assignee { get; init; }

    public bool Overdue { get; init; }

    public Guid? CustomerId { get; init; }

    public string? Topic { get; init; }

    /// <summary>
    /// Listed as this agent (<see cref="ListQuery.Agent"/>) instead of the admin: only the cases of the agent's teams, at
    /// the agent's level there and below.
    /// </summary>
    public string? Viewer { get; init; }
}

/// <summary>One measured list query: its filters, its sort and whether it is the page reached by following the cursor.</summary>
internal sealed record ListQuery(string Key, string Name, ListFilter Filter, bool ByPriority, bool Deep)
{
    public const int PageSize = 50;

    /// <summary>
    /// The agent of the agent's query: the development agent key's caller id. The bench makes it a member of
    /// <see cref="AgentTeams"/> and tells the API that it does not see every team (it does in Development).
    /// </summary>
    public const string Agent = "dev:agent";

    /// <summary>The agent's teams and its level in each: 6 % and 4 % of the cases (CaseFaker.TeamWeights).</summary>
    public static IReadOnlyDictionary<string, string> AgentTeams { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cx-enterprise"] = "frontline",
        ["product-feedback"] = "management",
    };

    /// <summary>The query string of the first page (the deep page adds the cursor).</summary>
    public string ApiQuery
    {
        get
        {
            var parts = new List<string>();
            if (Filter.OpenOnly)
            {
                parts.Add("status=open");
            }

            if (Filter.TeamKey is { } team)
            {
                parts.Add($"team={Uri.EscapeDataString(team)}");
            }

            if (Filter.Assignee is { } assignee)
            {
                parts.Add($"assignee={Uri.EscapeDataString(assignee)}");
            }

            if (Filter.Overdue)
            {
                parts.Add("overdue=true");
            }

            if (Filter.CustomerId is { } customer)
            {
                parts.Add($"customerId={customer}");
            }

            if (Filter.Topic is { } topic)
            {
                parts.Add($"topic={Uri.EscapeDataString(topic)}");
            }

            if (ByPriority)
            {
                parts.Add("sort=priority");
            }

            parts.Add($"pageSize={PageSize}");
            return string.Join('&', parts);
        }
    }

    /// <summary>Whether the API is called with the agent's key (see <see cref="ListFilter.Viewer"/>).</summary>
    public bool AsAgent => Filter.Viewer is not null;

    /// <summary>What the table shows in its first column.</summary>
    public string Label => $"({Key}) {Name}";

    public static IReadOnlyList<ListQuery> All(string teamKey, string assignee, Guid customer, string topic, int deepPages) =>
    [
        new("a", "first page, default sort", new ListFilter(), false, false),
        new("b", "status=open&sort=priority", new ListFilter { OpenOnly = true }, true, false),
        new("c", $"team={teamKey}&status=open", new ListFilter { TeamKey = teamKey, OpenOnly = true }, false, false),
        new("d", "overdue=true", new ListFilter { Overdue = true }, false, false),
        new("e", $"assignee={assignee}", new ListFilter { Assignee = assignee }, false, false),
        new("f", "customerId=<big account>", new ListFilter { CustomerId = customer }, false, false),
        new("g", $"topic={topic}", new ListFilter { Topic = topic }, false, false),
        new("h", $"page {deepPages}, default sort", new ListFilter(), false, true),
        new("i", $"page {deepPages}, sort=priority", new ListFilter(), true, true),
        new("j", "status=open, every team (the admin)", new ListFilter { OpenOnly = true }, false, false),
        new("k", "status=open as an agent of two teams", new ListFilter { OpenOnly = true, Viewer = Agent }, false, false),
    ];
}

/// <summary>Where the previous page ended: what the cursor encodes, read from that page's last item.</summary>
internal sealed record PagePosition(int Priority, DateTimeOffset Due, Guid Id);
