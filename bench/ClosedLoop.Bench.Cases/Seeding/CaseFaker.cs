using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace ClosedLoop.Bench.Cases.Seeding;

/// <summary>A team as the seeder uses it: its id from the API's teams table, its key, and its agents.</summary>
internal sealed record SeedTeam(Guid Id, string Key, double Weight, IReadOnlyList<string> Agents);

/// <summary>
/// Realistic, reproducible cases: mostly closed or resolved (80 %), the rest new, acknowledged, in progress or
/// waiting on the customer; priorities skewed to normal and high; teams of unequal size with five agents each;
/// customers from a pool of 200,000 (a few big accounts with hundreds of cases); one or two topics each; SLA
/// clocks consistent with the status (due times of open cases spread around now, breaches recorded where the
/// monitor would have recorded them, nothing due for paused, resolved and closed cases).
/// </summary>
internal sealed class CaseFaker
{
    public const int CustomerPool = 200_000;

    public static DateTimeOffset NothingDue { get; } = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Weights of the extra teams the bench creates beside the seeded ones (by key); seeded teams not named get 10.</summary>
    public static IReadOnlyDictionary<string, double> TeamWeights { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["triage"] = 3,
        ["cx-global"] = 20,
        ["cx-emea"] = 20,
        ["cx-north-america"] = 18,
        ["cx-latam"] = 8,
        ["cx-apac"] = 10,
        ["billing-specialists"] = 8,
        ["cx-enterprise"] = 6,
        ["product-feedback"] = 4,
        ["retention"] = 3,
    };

    private static readonly (string Status, double Weight)[] Statuses =
        [("Closed", 50), ("Resolved", 30), ("New", 4), ("Acknowledged", 3), ("InProgress", 9), ("WaitingOnCustomer", 4)];

    private static readonly double[] StatusWeights = [.. Statuses.Select(s => s.Weight)];

    private static readonly double[] PriorityWeights = [12, 48, 30, 10]; // low, normal, high, urgent
    private static readonly double[] FirstResponseMinutes = [1440, 480, 240, 60];
    private static readonly double[] ResolutionMinutes = [10080, 4320, 1440, 480];

    private static readonly (string Topic, double Weight)[] TopicWeights =
    [
        ("delivery", 18), ("billing", 12), ("support", 12), ("product-quality", 10), ("pricing", 8), ("app", 7), ("website", 6),
        ("returns", 5), ("refund", 4), ("staff", 4), ("communication", 3), ("onboarding", 3), ("performance", 2), ("account", 2),
        ("shipping-damage", 1.5), ("availability", 1), ("documentation", 1), ("security", 0.5), ("privacy", 0.5), ("other", 0.5),
    ];

    private static readonly double[] TopicWeightList = [.. TopicWeights.Select(t => t.Weight)];

    private static readonly string[] RootCauses =
        ["product-defect", "delivery-carrier", "billing-error", "process-gap", "support-experience", "communication", "pricing-policy", "usability", "expectation-mismatch", "no-fault-found", "other"];

    private static readonly string[] Notes =
    [
        "Refunded the delivery fee and escalated the carrier's repeated delays to logistics.",
        "Corrected the invoice; the double charge came from a retried payment that was not voided.",
        "Walked the customer through the new export screen; documentation updated with the missing step.",
        "Replaced the damaged item and added a fragile-goods flag to the product's packing instructions.",
        "Explained the price change and applied the loyalty discount the customer was entitled to.",
        "Could not reproduce; asked for screenshots, no reply after two reminders.",
    ];

    private readonly Random _random;
    private readonly DateTimeOffset _now;
    private readonly SeedTeam[] _teams;
    private readonly double[] _teamWeights;
    private readonly Guid[] _customers;
    private readonly Dictionary<(string? Team, int Priority, string? Category, bool Fallback), string> _routing = [];

    public CaseFaker(int seed, DateTimeOffset now, IReadOnlyList<SeedTeam> teams)
    {
        _random = new Random(seed);
        _now = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        _teams = [.. teams];
        _teamWeights = [.. teams.Select(t => t.Weight)];
        _customers = new Guid[CustomerPool];
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < _customers.Length; i++)
        {
            _random.NextBytes(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            _customers[i] = new Guid(bytes, bigEndian: true);
        }
    }

    /// <summary>The biggest account: customer 0 of the pool, picked most often.</summary>
    public Guid BigCustomer => _customers[0];

    public DateTimeOffset Now => _now;

    public static string TopicForQueries => "refund";

    public CaseRow Next()
    {
        var status = Statuses[Pick(StatusWeights)].Status;
        var priority = Pick(PriorityWeights);
        var team = _random.NextDouble() < 0.01 ? null : _teams[Pick(_teamWeights)];
        var level = _random.NextDouble() switch { < 0.85 => 0, < 0.97 => 1, _ => 2 };
        int? score = _random.NextDouble() switch
        {
            < 0.05 => null,
            < 0.75 => _random.Next(0, 7),
            < 0.95 => _random.Next(7, 9),
            _ => _random.Next(9, 11),
        };
        var category = score switch { null => null, <= 6 => "detractor", <= 8 => "passive", _ => "promoter" };
        var sentiment = score switch { null => "negative", <= 4 => "negative", <= 7 => "neutral", _ => "positive" };
        var fallback = team?.Key == "triage" || _random.NextDouble() < 0.005;
        var firstResponse = FirstResponseMinutes[priority];
        var resolution = ResolutionMinutes[priority];

        DateTimeOffset opened;
        DateTimeOffset? acknowledged = null, pausedSince = null, resolved = null, closed = null, firstBreach = null, resolutionBreach = null;
        var pausedMinutes = 0.0;
        var open = status is "New" or "Acknowledged" or "InProgress" or "WaitingOnCustomer";
        switch (status)
        {
            case "New":
                opened = Ago(Uniform(0, 1.6) * firstResponse);
                break;
            case "Acknowledged" or "InProgress":
                opened = Ago(Uniform(0.05, 1.3) * resolution);
                acknowledged = Before(opened.AddMinutes(Uniform(0.1, 1.2) * firstResponse));
                if (status == "InProgress" && _random.NextDouble() < 0.2)
                {
                    pausedMinutes = Math.Round(Uniform(30, 600));
                }

                break;
            case "WaitingOnCustomer":
                opened = Ago(Uniform(0.1, 3) * resolution);
                acknowledged = Before(opened.AddMinutes(Uniform(0.1, 1.2) * firstResponse));
                pausedSince = Before(acknowledged.Value.AddMinutes(Uniform(10, 2 * resolution)));
                break;
            default:
                opened = Ago(Uniform(1, 730) * 24 * 60);
                acknowledged = Before(opened.AddMinutes(Uniform(0.1, 1.2) * firstResponse));
                resolved = Before(acknowledged.Value.AddMinutes(Uniform(0.1, 1.4) * resolution));
                pausedSince = resolved;
                closed = status == "Closed" ? Before(resolved.Value.AddHours(Uniform(1, 7 * 24))) : null;
                break;
        }

        var firstDue = opened.AddMinutes(firstResponse);
        var resolutionDue = opened.AddMinutes(resolution + pausedMinutes);
        if ((acknowledged ?? _now) > firstDue)
        {
            firstBreach = Before(firstDue.AddSeconds(30));
        }

        var resolutionEnd = resolved ?? pausedSince ?? _now;
        if (resolutionEnd > resolutionDue)
        {
            resolutionBreach = Before(resolutionDue.AddSeconds(30));
        }

        // As Case.UpdateDueSort: nothing due once closed, resolved or paused; otherwise the earlier pending target.
        var dueSort = !open || pausedSince is not null ? NothingDue : resolutionDue;
        if (open && acknowledged is null && firstDue < dueSort)
        {
            dueSort = firstDue;
        }

        var assigned = team is not null && (status == "New" ? _random.NextDouble() < 0.4 : _random.NextDouble() < 0.95);
        var agent = assigned ? team!.Agents[_random.Next(team.Agents.Count)] : null;
        var lastActivity = closed ?? resolved ?? pausedSince ?? acknowledged ?? opened;
        if (open && status != "New")
        {
            lastActivity = Before(lastActivity.AddMinutes(Uniform(0, 600)));
        }

        var topics = Topics();
        var loop = category switch { "detractor" => "detractor-recovery", "passive" => "passive-follow-up", "promoter" => "promoter-thanks", _ => null };
        return new CaseRow
        {
            Id = Version7(opened),
            FeedbackId = Version7(opened.AddSeconds(-_random.Next(1, 120))),
            CustomerId = _customers[(int)(CustomerPool * Math.Pow(_random.NextDouble(), 1.5))],
            Status = status,
            Priority = priority,
            Level = level,
            TeamId = team?.Id,
            TeamKey = team?.Key,
            AssigneeId = agent,
            AssigneeName = agent is null ? null : AgentName(agent),
            Loop = loop,
            Tags = JsonSerializer.Serialize(TagsOf(category, topics, fallback)),
            Score = score,
            Category = category,
            Sentiment = sentiment,
            Routing = Routing(team?.Key, priority, category, fallback),
            RoutedByFallback = fallback,
            OpenedAt = opened,
            LastActivityAt = lastActivity,
            FirstResponseTargetMinutes = firstResponse,
            ResolutionTargetMinutes = resolution,
            FirstResponseDueAt = firstDue,
            AcknowledgedAt = acknowledged,
            ResolutionDueAt = resolutionDue,
            PausedSince = pausedSince,
            PausedMinutes = pausedMinutes,
            FirstResponseBreachedAt = firstBreach,
            ResolutionBreachedAt = resolutionBreach,
            DueSort = dueSort,
            ResolvedAt = resolved,
            ClosedAt = closed,
            RootCause = resolved is null ? null : RootCauses[_random.Next(RootCauses.Length)],
            ResolutionNote = resolved is null ? null : Notes[_random.Next(Notes.Length)],
            CustomerSummary = resolved is not null && _random.NextDouble() < 0.5 ? "We fixed what went wrong and changed how we handle it, so it does not happen again." : null,
            AutoEscalatedTo = level > 0 && _random.NextDouble() < 0.5 ? level : null,
            Version = status switch { "New" => 1 + (assigned ? 1 : 0), "Acknowledged" => 3, "InProgress" => 4, "WaitingOnCustomer" => 5, "Resolved" => 6, _ => 7 } + level,
            Topics = topics,
        };
    }

    public static string AgentName(string agent) => $"Agent {agent[(agent.IndexOf('-', StringComparison.Ordinal) + 1)..]}";

    private List<string> Topics()
    {
        var count = _random.NextDouble() < 0.5 ? 1 : 2;
        var topics = new List<string>(count);
        while (topics.Count < count)
        {
            var topic = TopicWeights[Pick(TopicWeightList)].Topic;
            if (!topics.Contains(topic))
            {
                topics.Add(topic);
            }
        }

        return topics;
    }

    private static List<string> TagsOf(string? category, List<string> topics, bool fallback)
    {
        List<string> tags = [.. topics];
        if (category is not null)
        {
            tags.Insert(0, category);
        }

        if (fallback)
        {
            tags.Add("rules-fallback");
        }

        return tags;
    }

    /// <summary>A routing explanation of the size and shape the Feedback module publishes (about 700 bytes).</summary>
    private string Routing(string? team, int priority, string? category, bool fallback)
    {
        if (_routing.TryGetValue((team, priority, category, fallback), out var cached))
        {
            return cached;
        }

        var names = new[] { "low", "normal", "high", "urgent" };
        var explanation = new
        {
            fallback,
            decision = new { team, priority = names[priority], level = "frontline", loop = category is null ? null : $"{category}-loop", slaHours = (int?)null, tags = new[] { category } },
            ruleSets = new[]
            {
                new { name = "topic-tagging", version = 1, matched = new[] { "delivery-keywords", "billing-keywords" }, notMatched = new[] { "app-keywords", "staff-keywords" } },
                new { name = "routing", version = 3, matched = new[] { $"{category ?? "unscored"}-by-category", "high-value-account" }, notMatched = new[] { "promoter-thanks" } },
                new { name = "regional-teams", version = 2, matched = new[] { $"region-to-{team ?? "triage"}" }, notMatched = new[] { "default-global" } },
            },
            values = new[]
            {
                new { field = "team", value = team, ruleSet = "regional-teams", rule = $"region-to-{team ?? "triage"}", overridden = false },
                new { field = "priority", value = (string?)names[priority], ruleSet = "routing", rule = "high-value-account", overridden = priority < 2 },
            },
        };
        var json = JsonSerializer.Serialize(explanation);
        _routing[(team, priority, category, fallback)] = json;
        return json;
    }

    /// <summary>A version 7 id for <paramref name="at"/> (as <c>Guid.CreateVersion7</c>), its random part from the seeded generator.</summary>
    private Guid Version7(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        var milliseconds = at.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(milliseconds >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)milliseconds);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private DateTimeOffset Ago(double minutes) => _now.AddSeconds(-Math.Round(minutes * 60));

    /// <summary>Never in the future, on whole seconds.</summary>
    private DateTimeOffset Before(DateTimeOffset at)
    {
        var clamped = at > _now ? _now : at;
        return new DateTimeOffset(clamped.UtcTicks - (clamped.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private double Uniform(double from, double to) => from + (_random.NextDouble() * (to - from));

    private int Pick(double[] list)
    {
        var roll = _random.NextDouble() * list.Sum();
        for (var i = 0; i < list.Length; i++)
        {
            roll -= list[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return list.Length - 1;
    }

    public static string AgentId(int number) => string.Create(CultureInfo.InvariantCulture, $"agent-{number:D2}");
}
