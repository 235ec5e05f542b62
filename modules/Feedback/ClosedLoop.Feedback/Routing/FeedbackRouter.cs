using System.Text.Json;
using System.Text.Json.Serialization;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Rules;
using ClosedLoop.Rules.Sentiment;

namespace ClosedLoop.Feedback.Routing;

/// <summary>What routing decided for one item, ready to store and to publish.</summary>
internal sealed record RoutedFeedback(SentimentResult Sentiment, FeedbackDecision Decision, bool Fallback, string? FallbackReason, IReadOnlyList<RuleSetVersionUsed> RuleSets, string Explanation);

/// <summary>
/// Scores the sentiment of each new item and routes it through the published rule sets, inside the transaction
/// that stores it, so an item is never stored without its decision. The engine bounds each item's evaluation in
/// time and falls back to the default route, so ingest never waits on a runaway rule.
/// </summary>
internal sealed class FeedbackRouter(IRuleEngine<FeedbackFacts> engine, ISentimentAnalyzer sentiment)
{
    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Picks up rule sets saved since the last unit of work (one indexed read); call before the transaction.</summary>
    public ValueTask<bool> RefreshAsync(CancellationToken cancellationToken) => engine.RefreshAsync(cancellationToken);

    /// <summary>The comment's sentiment (no database, thread-safe: computed while the previous chunk commits).</summary>
    public SentimentResult Sentiment(string? comment) => sentiment.Analyze(comment);

    /// <summary>
    /// What rules see of <paramref name="item"/>, captured now: the customer's count and last score move on with
    /// each of its items, so a customer that appears twice in a chunk must be read between its two upserts.
    /// </summary>
    /// <param name="item">The validated item.</param>
    /// <param name="mood">Its comment's sentiment.</param>
    /// <param name="customer">Its customer, already updated with this item.</param>
    /// <param name="previousScore">The customer's last score before this item.</param>
    public static FeedbackFacts Facts(ValidFeedback item, SentimentResult mood, Customer customer, int? previousScore) => new(
        item.Score,
        Nps.Name(item.Category),
        item.Comment ?? "",
        item.Channel,
        item.Source,
        mood.Label,
        mood.Score,
        [],
        item.SubmittedAt,
        Attributes(item.Attributes),
        new CustomerFacts(
            customer.Region ?? "",
            customer.Segment ?? "",
            customer.Language ?? "",
            customer.AccountValue,
            customer.FeedbackCount,
            previousScore));

    /// <summary>Routes a chunk's items in one hand-off to the engine; the results are in the same order.</summary>
    /// <param name="items">Each item's facts (see <see cref="Facts"/>) and sentiment, in ingest order.</param>
    /// <param name="cancellationToken">Aborts the ingest.</param>
    public async ValueTask<RoutedFeedback[]> RouteManyAsync(IReadOnlyList<(FeedbackFacts Facts, SentimentResult Sentiment)> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var facts = new FeedbackFacts[items.Count];
        for (var i = 0; i < facts.Length; i++)
        {
            facts[i] = items[i].Facts;
        }

        var results = await engine.RouteManyAsync(facts, cancellationToken);
        var routed = new RoutedFeedback[results.Count];
        for (var i = 0; i < routed.Length; i++)
        {
            routed[i] = Routed(items[i].Sentiment, results[i]);
        }

        return routed;
    }

    private static RoutedFeedback Routed(SentimentResult mood, RoutingResult result)
    {
        var decision = result.Decision;
        return new RoutedFeedback(
            mood,
            new FeedbackDecision(
                decision.Flag("openCase") ?? false,
                decision.Text("priority"),
                decision.Text("team"),
                decision.Integer("slaHours"),
                decision.Text("escalationLevel"),
                decision.Text("loop"),
                decision.List("topics"),
                decision.List("tags"),
                decision.Flag("assign") ?? true),
            result.Fallback,
            result.FallbackReason,
            [.. result.RuleSets.Select(s => new RuleSetVersionUsed(s.Name, s.Version, RoutingExplanation.Name(s.Outcome)))],
            RoutingExplanation.Serialize(result));
    }

    /// <summary>Attributes are stored as a JSON object of scalars; rules see each value as text.</summary>
    private static IReadOnlyDictionary<string, string> Attributes(string? json)
    {
        if (json is null)
        {
            return NoAttributes;
        }

        using var document = JsonDocument.Parse(json);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString() ?? "",
                JsonValueKind.Null => "",
                _ => property.Value.GetRawText(),
            };
        }

        return values;
    }
}

/// <summary>
/// The explanation as stored with the item and returned by the API: the decision, the fallback, and per rule set
/// its version and outcome, every rule that held, failed or said something in full, and the names of the rules
/// that simply did not hold (every rule's result, without repeating empty fields for each of them).
/// </summary>
internal static class RoutingExplanation
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,

        // As the API writes enums everywhere else (the engine's own attributes say PascalCase).
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>An outcome as the API names it (<c>evaluated</c>, <c>timedOut</c>, …).</summary>
    public static string Name(RuleSetOutcome outcome) => JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString());

    /// <summary>
    /// Characters a stored explanation may have. Rule sets' caps keep a real one far below (about 2 KB for the
    /// default sets); this is the safety net for sets that are valid but wordy, since the text is stored with every
    /// item and every case.
    /// </summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>
    /// The explanation as JSON: in full when it fits <see cref="MaxLength"/>; otherwise marked <c>truncated</c>,
    /// first with only the rules that matched (what they contributed, no messages or outputs), then with each set's
    /// outcome alone, then with the decision alone. The decision itself is never cut.
    /// </summary>
    public static string Serialize(RoutingResult result)
    {
        string? json = null;
        foreach (var detail in (Detail[])[Detail.Full, Detail.Matched, Detail.Outcomes, Detail.Decision])
        {
            json = JsonSerializer.Serialize(Store(result, detail), Options);
            if (json.Length <= MaxLength)
            {
                break;
            }
        }

        return json!;
    }

    private static Stored Store(RoutingResult result, Detail detail) => new(
        result.Decision.Values,
        result.Fallback,
        result.FallbackReason,
        result.CatalogStamp,
        Math.Round(result.ElapsedMilliseconds, 3),
        detail == Detail.Decision ? [] : [.. result.RuleSets.Select(s => Set(s, detail))])
    {
        Truncated = detail == Detail.Full ? null : true,
    };

    private static StoredSet Set(RuleSetTrace set, Detail detail)
    {
        IReadOnlyList<RuleTrace> rules = detail switch
        {
            Detail.Full => [.. set.Rules.Where(Notable)],
            Detail.Matched => [.. set.Rules.Where(r => r.Matched).Select(r => r with { Message = null, ActionOutput = null, ActionError = null, Error = null })],
            _ => [],
        };
        return new StoredSet(set.Name, set.Version, set.Order, Name(set.Outcome), set.Error, rules, detail == Detail.Full ? [.. set.Rules.Where(r => !Notable(r)).Select(r => r.Path)] : [])
        {
            Omitted = detail == Detail.Full ? null : set.Rules.Count - rules.Count,
        };
    }

    /// <summary>The explanation without what rules' messages and action outputs may have echoed of the customer's words.</summary>
    public static string Redact(string json)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        foreach (var set in root["ruleSets"]?.AsArray() ?? [])
        {
            foreach (var rule in set?["rules"]?.AsArray() ?? [])
            {
                if (rule is System.Text.Json.Nodes.JsonObject fields)
                {
                    fields.Remove("message");
                    fields.Remove("actionOutput");
                }
            }
        }

        root["redacted"] = true;
        return root.ToJsonString(Options);
    }

    private static bool Notable(RuleTrace rule) =>
        rule.Success || rule.Matched || rule.Error is not null || rule.Message is not null || rule.ActionOutput is not null || rule.ActionError is not null || rule.InjectedFrom is not null;

    private enum Detail
    {
        Full,
        Matched,
        Outcomes,
        Decision,
    }

    private sealed record Stored(
        IReadOnlyDictionary<string, object> Decision,
        bool Fallback,
        string? FallbackReason,
        string CatalogStamp,
        double ElapsedMilliseconds,
        IReadOnlyList<StoredSet> RuleSets)
    {
        /// <summary>True when the full explanation was over <see cref="MaxLength"/> and details were left out.</summary>
        public bool? Truncated { get; init; }
    }

    /// <summary>
    /// One rule set's part: <c>rules</c> are the rules that held, failed or produced a message or action output,
    /// with what they contributed; <c>notHeld</c> the paths of the rules whose expression was false, without error.
    /// </summary>
    private sealed record StoredSet(string Name, int Version, int Order, string Outcome, string? Error, IReadOnlyList<RuleTrace> Rules, IReadOnlyList<string> NotHeld)
    {
        /// <summary>In a truncated explanation: how many of the set's rules are not listed.</summary>
        public int? Omitted { get; init; }
    }
}
