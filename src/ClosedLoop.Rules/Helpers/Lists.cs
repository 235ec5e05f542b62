namespace ClosedLoop.Rules.Helpers;

/// <summary>
/// List and map tests for rule expressions, registered for every input:
/// <c>Lists.ContainsAny(feedback.Topics, "billing", "pricing")</c>, <c>Lists.Value(feedback.Attributes, "plan") == "gold"</c>.
/// All comparisons ignore case; null counts as empty.
/// </summary>
public static class Lists
{
    /// <summary>True when <paramref name="list"/> holds any of <paramref name="values"/>.</summary>
    public static bool ContainsAny(IEnumerable<string>? list, params string[] values) =>
        list is not null && list.Any(item => values.Contains(item, StringComparer.OrdinalIgnoreCase));

    /// <summary>True when <paramref name="list"/> holds every one of <paramref name="values"/>.</summary>
    public static bool ContainsAll(IEnumerable<string>? list, params string[] values) =>
        list is not null && values.All(v => list.Contains(v, StringComparer.OrdinalIgnoreCase));

    /// <summary>The value under <paramref name="key"/> (key case ignored), or <c>""</c> when there is none.</summary>
    public static string Value(IReadOnlyDictionary<string, string>? map, string key)
    {
        if (map is null)
        {
            return "";
        }

        if (map.TryGetValue(key, out var exact))
        {
            return exact ?? "";
        }

        return map.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value ?? "";
    }
}
