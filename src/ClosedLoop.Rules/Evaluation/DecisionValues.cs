using System.Text.Json;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>Reads and checks decision values: from a rule's <c>Properties</c> (JSON) and from code (fallbacks).</summary>
internal static class DecisionValues
{
    public const int MaxTextLength = 200;
    public const int MaxListItems = 50;

    /// <summary>Rules may carry notes for people under keys starting with <c>x-</c>; the engine ignores them.</summary>
    public static bool IsAnnotation(string key) => key.StartsWith("x-", StringComparison.Ordinal);

    /// <summary>The value in the CLR shape a decision holds, or the reason it is not acceptable.</summary>
    public static (object? Value, string? Problem) Read(DecisionProperty property, JsonElement json)
    {
        switch (property.Kind)
        {
            case DecisionKind.Flag:
                return json.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? (json.GetBoolean(), null)
                    : (null, $"'{property.Name}' must be true or false, not {Describe(json)}.");
            case DecisionKind.Integer:
                if (json.ValueKind != JsonValueKind.Number || !json.TryGetInt32(out var number))
                {
                    return (null, $"'{property.Name}' must be a whole number from {property.Minimum} to {property.Maximum}, not {Describe(json)}.");
                }

                return (number, Check(property, number));
            case DecisionKind.List:
                var items = json.ValueKind switch
                {
                    JsonValueKind.String => [json.GetString()!],
                    JsonValueKind.Array when json.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                        json.EnumerateArray().Select(e => e.GetString()!).ToArray(),
                    _ => null,
                };
                return items is null
                    ? (null, $"'{property.Name}' must be a string or an array of strings, not {Describe(json)}.")
                    : (items, Check(property, items));
            default:
                return json.ValueKind == JsonValueKind.String
                    ? (json.GetString()!, Check(property, json.GetString()!))
                    : (null, $"'{property.Name}' must be a string, not {Describe(json)}.");
        }
    }

    /// <summary>Null when <paramref name="value"/> fits <paramref name="property"/>, else why not.</summary>
    public static string? Check(DecisionProperty property, object value) => (property.Kind, value) switch
    {
        (DecisionKind.Flag, bool) => null,
        (DecisionKind.Integer, int i) when i < property.Minimum || i > property.Maximum =>
            $"'{property.Name}' must be from {property.Minimum} to {property.Maximum}, not {i}",
        (DecisionKind.Integer, int) => null,
        (DecisionKind.Choice, string s) when !property.Choices.Contains(s, StringComparer.Ordinal) =>
            $"'{property.Name}' must be one of {string.Join(", ", property.Choices)}, not '{s}'",
        (DecisionKind.Choice, string) => null,
        (DecisionKind.Text, string s) => CheckText(property, s),
        (DecisionKind.List, string[] items) when items.Length > MaxListItems => $"'{property.Name}' may have at most {MaxListItems} values",
        (DecisionKind.List, string[] items) => items.Select(i => CheckText(property, i)).FirstOrDefault(p => p is not null),
        _ => $"'{property.Name}' must be a {property.Kind.ToString().ToLowerInvariant()} value, not {value.GetType().Name}",
    };

    private static string? CheckText(DecisionProperty property, string text) =>
        string.IsNullOrWhiteSpace(text) ? $"'{property.Name}' must not be empty"
        : text.Length > MaxTextLength ? $"'{property.Name}' values may have at most {MaxTextLength} characters"
        : text != text.Trim() ? $"'{property.Name}' value '{text}' has leading or trailing spaces"
        : null;

    private static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => $"\"{json.GetString()}\"",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => json.GetRawText(),
    };
}
