using System.Collections;
using System.Globalization;
using System.Text.Json;
using Scriban.Runtime;

namespace ClosedLoop.Communication.Rendering;

/// <summary>
/// Builds the model a template sees from plain data only (objects, arrays, strings, numbers, booleans, dates),
/// so no template reaches a live .NET object and its members through reflection.
/// </summary>
internal static class TemplateModel
{
    private const int MaxDepth = 16;

    public static ScriptObject FromJson(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object
            ? (ScriptObject)Convert(json, 0)!
            : throw new ArgumentException("A template model is a JSON object.", nameof(json));

    public static ScriptObject FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    public static ScriptObject From(IReadOnlyDictionary<string, object?> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return (ScriptObject)Convert(data, 0)!;
    }

    private static object? Convert(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"A template model nests deeper than {MaxDepth} levels.");
        }

        return value switch
        {
            null => null,
            string or bool or int or long or double or decimal => value,
            float f => (double)f,
            short or byte => System.Convert.ToInt32(value, CultureInfo.InvariantCulture),
            Guid g => g.ToString(),
            DateTimeOffset d => d.UtcDateTime,
            DateTime d => d,
            Enum e => e.ToString(),
            JsonElement json => ConvertJson(json, depth),
            IEnumerable<KeyValuePair<string, object?>> map => ToObject(map, depth),
            IDictionary map => ToObject(map.Keys.Cast<object>().Select(k => new KeyValuePair<string, object?>(k.ToString()!, map[k])), depth),
            IEnumerable list => ToArray(list.Cast<object?>(), depth),
            _ => throw new ArgumentException($"A template model holds plain data only, not {value.GetType().Name}."),
        };
    }

    private static object? ConvertJson(JsonElement json, int depth) => json.ValueKind switch
    {
        JsonValueKind.Object => ToObject(json.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)), depth),
        JsonValueKind.Array => ToArray(json.EnumerateArray().Select(e => (object?)e), depth),
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Number => json.TryGetInt64(out var l) ? l : json.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static ScriptObject ToObject(IEnumerable<KeyValuePair<string, object?>> members, int depth)
    {
        var result = new ScriptObject(StringComparer.Ordinal);
        foreach (var (key, value) in members)
        {
            result.SetValue(key, Convert(value, depth + 1), readOnly: false);
        }

        return result;
    }

    private static ScriptArray ToArray(IEnumerable<object?> items, int depth)
    {
        var result = new ScriptArray();
        foreach (var item in items)
        {
            result.Add(Convert(item, depth + 1));
        }

        return result;
    }
}
