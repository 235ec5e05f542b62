using System.Globalization;
using System.Text.Json.Nodes;

namespace ClosedLoop.Api.Tests.Fuzz;

/// <summary>
/// Schema-valid values: the document's types, formats, enums and examples, with the allowed values its descriptions
/// name (channels, roles, levels, …) so that valid requests get past validation into the code behind it.
/// </summary>
internal sealed class FuzzValues(Random random, FuzzData data, FuzzOperations document)
{
    private static readonly Dictionary<string, string[]> Hints = new(StringComparer.OrdinalIgnoreCase)
    {
        ["channel"] = ["email", "web", "in-app", "sms", "phone", "chat", "social", "support", "survey", "kiosk", "review", "other"],
        ["role"] = ["admin", "agent", "analyst", "ingest"],
        ["level"] = ["frontline", "management", "executive"],
        ["status"] = ["open", "acknowledged", "inProgress", "waitingOnCustomer", "resolved", "closed"],
        ["priority"] = ["urgent", "high", "normal", "low"],
        ["category"] = ["none", "detractor", "passive", "promoter"],
        ["day"] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
        ["open"] = ["00:00", "09:00", "12:30"],
        ["close"] = ["17:30", "24:00", "13:00"],
        ["timeZone"] = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"],
        ["email"] = ["ada@example.com", "grace@example.org"],
        ["language"] = ["en", "pt-BR", "de"],
        ["region"] = ["EMEA", "APAC", "AMER"],
        ["segment"] = ["enterprise", "smb"],
        ["sort"] = ["priority", "dueAt", "createdAt", "-priority"],
        ["topic"] = ["delivery", "price", "support"],
        ["kind"] = ["timeout", "error", "fallback"],
        ["input"] = ["feedback"],
        ["assignee"] = ["me", "none"],
        ["action"] = ["team.created", "api-key.created"],
        ["actor"] = ["dev-admin", "admin"],
        ["format"] = ["csv", "jsonLines"],
    };

    private static readonly string[] Words = ["Delivery was two weeks late.", "Great service!", "Preis zu hoch — schade.", "配送が遅い", "ok", "The app crashes 🙁"];

    public Random Random => random;

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public bool Chance(double p) => random.NextDouble() < p;

    /// <summary>A valid value for <paramref name="schema"/>, named <paramref name="name"/> in its parent (hints by name).</summary>
    public JsonNode? Valid(JsonObject schema, string? name, int depth = 0)
    {
        schema = document.Resolve(schema);
        if (schema["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[random.Next(values.Count)]?.DeepClone();
        }

        var type = schema["type"]?.GetValue<string>();
        var format = schema["format"]?.GetValue<string>();
        return type switch
        {
            "string" => JsonValue.Create(Text(name, format)),
            "integer" => JsonValue.Create(Integer(name)),
            "number" => JsonValue.Create(Math.Round(random.NextDouble() * 200_000, 2)),
            "boolean" => JsonValue.Create(Chance(0.5)),
            "array" when depth < 6 => Array(schema, name, depth),
            "object" or null when schema["properties"] is JsonObject || schema["additionalProperties"] is not null => Object(schema, depth),
            _ => Anything(name, depth),
        };
    }

    public string Text(string? name, string? format = null)
    {
        switch (format)
        {
            case "uuid":
                var ids = name is "customerId" ? [.. data.CustomerIds] : data.AllIds.ToList();
                return ids.Count > 0 && Chance(0.7) ? Pick(ids).ToString() : Guid.NewGuid().ToString();
            case "date-time":
                return new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddHours(-random.Next(0, 24 * 400)).ToString(Chance(0.5) ? "O" : "yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            case "date":
                return new DateOnly(2026, 1, 1).AddDays(random.Next(0, 365)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return name switch
        {
            "team" => Pick(data.TeamKeys),
            "assigneeId" or "userId" => data.AgentUserIds.Count > 0 && Chance(0.7) ? Pick(data.AgentUserIds) : "u-" + random.Next(1000),
            "rootCause" => data.RootCauseKeys.Count > 0 && Chance(0.8) ? Pick(data.RootCauseKeys) : "carrier-delay",
            "source" => data.Sources.Count > 0 && Chance(0.5) ? Pick(data.Sources) : "fuzz-" + random.Next(100),
            "cursor" => data.Cursors.Count > 0 ? Pick(data.Cursors) : "AAAA",
            "ruleSet" => data.RuleSetNames.Count > 0 ? Pick(data.RuleSetNames) : "routing",
            "key" => "fuzz-" + random.Next(100_000).ToString(CultureInfo.InvariantCulture),
            "externalId" => "fz-" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture),
            "If-Match" => data.ETags.Count > 0 && Chance(0.5) ? Pick(data.ETags) : "\"" + random.Next(1, 5) + "\"",
            "Idempotency-Key" => Guid.NewGuid().ToString("N"),
            not null when Hints.TryGetValue(name, out var hints) => Pick(hints),
            _ => Pick(Words),
        };
    }

    public long Integer(string? name) => name?.ToLowerInvariant() switch
    {
        "score" => random.Next(0, 11),
        "version" => random.Next(1, 4),
        "page" or "errorspage" => random.Next(1, 4),
        "pagesize" or "errorspagesize" => random.Next(1, 51),
        "order" => random.Next(0, 1000),
        _ => random.Next(0, 100),
    };

    private JsonArray Array(JsonObject schema, string? name, int depth)
    {
        var array = new JsonArray();
        var items = schema["items"] as JsonObject ?? [];
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            array.Add(Valid(items, name, depth + 1));
        }

        return array;
    }

    private JsonObject Object(JsonObject schema, int depth)
    {
        var result = new JsonObject();
        foreach (var (property, propertySchema) in schema["properties"] as JsonObject ?? [])
        {
            if (Chance(0.8))
            {
                result[property] = depth < 6 ? Valid(propertySchema as JsonObject ?? [], property, depth + 1) : null;
            }
        }

        if (schema["additionalProperties"] is JsonObject extra && schema["properties"] is null)
        {
            for (var i = random.Next(0, 3); i > 0; i--)
            {
                var key = Pick(Hints["priority"].Concat(["product", "orderId", "plan"]).ToList());
                result[key] = extra.Count == 0 ? Scalar() : Valid(extra, key, depth + 1);
            }
        }

        return result;
    }

    private JsonNode? Scalar() => random.Next(4) switch
    {
        0 => JsonValue.Create(Pick(Words)),
        1 => JsonValue.Create(random.Next(-5, 1000)),
        2 => JsonValue.Create(Chance(0.5)),
        _ => null,
    };

    /// <summary>A schema that says nothing (a raw JSON document): a rules input sample, a workflow, or anything small.</summary>
    private JsonNode? Anything(string? name, int depth) => name switch
    {
        "input" => new JsonObject { ["score"] = random.Next(0, 11), ["category"] = Pick(Hints["category"]), ["comment"] = Pick(Words), ["customer"] = new JsonObject { ["region"] = "EMEA", ["accountValue"] = 120000 } },
        "workflow" when Chance(0.5) => null,
        _ when depth > 3 => Scalar(),
        _ => random.Next(3) switch
        {
            0 => Scalar(),
            1 => new JsonArray(Scalar(), Scalar()),
            _ => new JsonObject { ["WorkflowName"] = "fuzz", ["Rules"] = new JsonArray(new JsonObject { ["RuleName"] = "r", ["Expression"] = "feedback.Score < 7" }) },
        },
    };
}
