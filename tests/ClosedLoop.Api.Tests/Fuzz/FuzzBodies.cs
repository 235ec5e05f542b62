using System.Text;
using System.Text.Json.Nodes;

namespace ClosedLoop.Api.Tests.Fuzz;

/// <summary>
/// JSON bodies: a valid tree with one mutation applied. What a tree cannot hold (lone surrogates, 1e400, duplicate
/// keys, raw bytes) goes in as a marker string that is swapped for raw JSON text after serialization.
/// </summary>
internal sealed class FuzzBodies(FuzzValues values)
{
    public static readonly string[] JsonMutations =
    [
        "lone-surrogate", "surrogate-key", "control-chars", "long-string", "huge-number", "wrong-type", "null-member",
        "deep-nesting", "duplicate-key-case", "duplicate-key", "unknown-member", "empty-body", "no-body", "malformed",
        "invalid-utf8", "wrong-content-type", "top-level-type", "huge-array",
    ];

    private static readonly string[] Surrogates = ["\"\\udfff\"", "\"\\ud800\"", "\"x\\ud800y\"", "\"\\ud800\\ud800\"", "\"\\udfff\\ud800 ok\"", "\"\\uDBFF\""];
    private static readonly string[] HugeNumbers = ["1e400", "-1e400", "99999999999999999999999999", "-9223372036854775809", "9223372036854775808", "2147483648", "-2147483649", "-1", "1.5", "0.0000001", "1e-400", "-0", "1E+2", "4294967296", "1.7976931348623157e308"];
    private static readonly string[] ControlTexts = ["\0", "a\0b", "\u0001\u001f\u007f", "\u2028\u2029", "\ufeffBOM", "\r\n\t", "\u0000\u0000\u0000", "\uffff\ufffe"];
    private static readonly string[] Malformed = ["{", "}", "[", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "[1,2,]", "NaN", "{/*c*/}", "\"unterminated", "{\"a\" 1}", "tru", "{\"a\":01}", "{\"a\":.5}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}"];
    private static readonly string[] ContentTypes = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/json; charset=latin1", "application/json; charset=nonsense", "application/problem+json", "text/csv", "@@@", "application/*", "application/json; boundary", "application/jsonx"];

    private readonly List<(string Marker, byte[] Raw)> _raw = [];
    private int _markers;

    public (byte[]? Body, string? ContentType) Create(FuzzOperation operation, string mutation)
    {
        _raw.Clear();
        JsonNode? root = operation.BodyExample is not null && values.Chance(0.6) ? Freshen(operation.BodyExample.DeepClone()) : values.Valid(operation.BodySchema ?? [], null);
        var contentType = values.Chance(0.8) ? "application/json" : "application/json; charset=utf-8";
        switch (mutation)
        {
            case "empty-body":
                return ([], contentType);
            case "no-body":
                return (null, null);
            case "malformed":
                return (Encoding.UTF8.GetBytes(values.Chance(0.5) ? values.Pick(Malformed) : Truncated(root)), contentType);
            case "wrong-content-type":
                return (Encoding.UTF8.GetBytes(Serialize(root)), values.Pick(ContentTypes));
            case "top-level-type":
                root = root is JsonArray ? new JsonObject { ["score"] = 3 } : values.Pick<JsonNode?>([new JsonArray(), new JsonArray(root), JsonValue.Create("text"), JsonValue.Create(42), JsonValue.Create(true), null]);
                break;
            default:
                root = Mutate(root, mutation);
                break;
        }

        return (Bytes(root), contentType);
    }

    /// <summary>Swaps the markers for their raw text.</summary>
    public byte[] Bytes(JsonNode? root)
    {
        var bytes = Encoding.UTF8.GetBytes(Serialize(root));
        foreach (var (marker, raw) in _raw)
        {
            var quoted = Encoding.UTF8.GetBytes("\"" + marker + "\"");
            var at = bytes.AsSpan().IndexOf(quoted);
            if (at >= 0)
            {
                bytes = [.. bytes.AsSpan(0, at), .. raw, .. bytes.AsSpan(at + quoted.Length)];
            }
        }

        return bytes;
    }

    private static string Serialize(JsonNode? root) => root?.ToJsonString() ?? "null";

    private string Truncated(JsonNode? root)
    {
        var text = Serialize(root);
        return text.Length < 2 ? "{" : text[..values.Random.Next(1, text.Length)];
    }

    private JsonNode Raw(string text) => Raw(Encoding.UTF8.GetBytes(text));

    private JsonNode Raw(byte[] raw)
    {
        var marker = $"FZRAW{_markers++:D6}";
        _raw.Add((marker, raw));
        return JsonValue.Create(marker);
    }

    private JsonNode? Mutate(JsonNode? root, string mutation)
    {
        var slots = Slots(root).ToList();
        var strings = slots.Where(s => s.Value?.GetValueKind() == System.Text.Json.JsonValueKind.String).ToList();
        var numbers = slots.Where(s => s.Value?.GetValueKind() == System.Text.Json.JsonValueKind.Number).ToList();
        var objects = slots.Select(s => s.Value).Prepend(root).OfType<JsonObject>().ToList();
        var arrays = slots.Select(s => s.Value).Prepend(root).OfType<JsonArray>().ToList();
        Slot? Any(List<Slot> preferred) => preferred.Count > 0 && values.Chance(0.85) ? values.Pick(preferred) : slots.Count > 0 ? values.Pick(slots) : null;

        JsonNode? value = mutation switch
        {
            "lone-surrogate" => Raw(values.Pick(Surrogates)),
            "control-chars" => values.Chance(0.8) ? JsonValue.Create(values.Pick(ControlTexts)) : Raw([(byte)'"', (byte)'a', 0, 1, (byte)'b', (byte)'"']),
            "long-string" => JsonValue.Create(new string(values.Pick("aé中🙂".ToCharArray()) is var c && char.IsSurrogate(c) ? 'x' : c, values.Pick([5_000, 10_001, 100_000, 300_000]))),
            "huge-number" => Raw(values.Pick(HugeNumbers)),
            "null-member" => null,
            "deep-nesting" => Raw(Nested(values.Pick([33, 64, 65, 129, 1_000, 20_000]))),
            "invalid-utf8" => Raw(values.Pick<byte[]>([[(byte)'"', 0xC3, 0x28, (byte)'"'], [(byte)'"', 0xFF, 0xFE, (byte)'"'], [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"'], [(byte)'"', 0xC0, 0xAF, (byte)'"'], [(byte)'"', (byte)'a', 0xE2, 0x82, (byte)'"']])),
            "huge-array" => new JsonArray([.. Enumerable.Range(0, values.Pick([1_000, 5_001, 20_000])).Select(_ => (JsonNode?)(values.Chance(0.5) ? null : new JsonObject()))]),
            _ => null,
        };

        switch (mutation)
        {
            case "lone-surrogate" or "control-chars" or "long-string":
                return Set(root, Any(strings), value);
            case "huge-number":
                return Set(root, Any(numbers), value);
            case "null-member" or "deep-nesting" or "invalid-utf8":
                return Set(root, values.Chance(0.15) ? null : Any(slots), value);
            case "huge-array":
                return arrays.Count > 0 && values.Chance(0.7) ? Fill(arrays, value!.AsArray()) : Set(root, Any(slots), value);
            case "wrong-type":
                var slot = Any(slots);
                return Set(root, slot, WrongType(slot?.Value ?? root));
            case "surrogate-key" or "duplicate-key" or "duplicate-key-case" or "unknown-member" when objects.Count > 0:
                AddMember(values.Pick(objects), mutation);
                return root;
            default:
                return root;
        }
    }

    private JsonNode? Fill(List<JsonArray> arrays, JsonArray filler)
    {
        var target = values.Pick(arrays);
        var first = target.Count > 0 ? target[0] : null;
        foreach (var item in filler)
        {
            target.Add(first?.DeepClone() is { } copy && filler.Count <= 1_000 ? copy : item?.DeepClone());
        }

        return target.Root;
    }

    private void AddMember(JsonObject target, string mutation)
    {
        var existing = target.Select(p => p.Key).ToList();
        var name = existing.Count > 0 ? values.Pick(existing) : "score";
        var other = values.Pick<JsonNode?>([JsonValue.Create(0), JsonValue.Create("x"), null, new JsonObject(), JsonValue.Create(9)]);
        switch (mutation)
        {
            case "duplicate-key-case":
                var variant = values.Chance(0.5) ? name.ToUpperInvariant() : char.ToUpperInvariant(name[0]) + name[1..];
                target[variant == name ? name + "\u0130" : variant] = other;
                break;
            case "duplicate-key":
                target[Marker(name)] = other;
                break;
            case "surrogate-key":
                target[Marker(values.Pick(["\\ud800", "a\\udfff", name + "\\udbff"]))] = other;
                break;
            default:
                target[values.Pick(["fuzzUnknown", "$type", "__proto__", "", "id", "createdAt", "$ref", "Score"])] = other;
                break;
        }
    }

    /// <summary>A member name that ends up as <paramref name="name"/> (JSON-escaped text) after serialization.</summary>
    private string Marker(string name)
    {
        var marker = $"FZRAW{_markers++:D6}";
        _raw.Add((marker, Encoding.UTF8.GetBytes("\"" + name + "\"")));
        return marker;
    }

    private JsonNode? WrongType(JsonNode? current) => current?.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => values.Pick<JsonNode?>([JsonValue.Create(7), JsonValue.Create(false), new JsonObject { ["a"] = 1 }, new JsonArray("x")]),
        System.Text.Json.JsonValueKind.Number => values.Pick<JsonNode?>([JsonValue.Create("7"), JsonValue.Create("seven"), JsonValue.Create(true), new JsonArray(7)]),
        System.Text.Json.JsonValueKind.Object => values.Pick<JsonNode?>([new JsonArray(), JsonValue.Create("object"), JsonValue.Create(1)]),
        System.Text.Json.JsonValueKind.Array => values.Pick<JsonNode?>([new JsonObject(), JsonValue.Create("array"), JsonValue.Create(0)]),
        _ => values.Pick<JsonNode?>([JsonValue.Create("x"), JsonValue.Create(1), new JsonObject(), new JsonArray(), JsonValue.Create(true)]),
    };

    private string Nested(int depth)
    {
        var array = values.Chance(0.5);
        var open = array ? "[" : "{\"a\":";
        var close = array ? "]" : "}";
        return string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
    }

    /// <summary>Examples carry fixed external ids; fresh ones make most example-based items new rather than repeats.</summary>
    private JsonNode? Freshen(JsonNode? example)
    {
        foreach (var slot in Slots(example).Where(s => s.Name == "externalId" && s.Value?.GetValueKind() == System.Text.Json.JsonValueKind.String).ToList())
        {
            if (values.Chance(0.8))
            {
                slot.Parent[slot.Name!] = "fz-" + values.Random.Next(1_000_000);
            }
        }

        return example;
    }

    private static JsonNode? Set(JsonNode? root, Slot? slot, JsonNode? value)
    {
        if (slot is not { } s)
        {
            return value;
        }

        if (s.Parent is JsonObject o)
        {
            o[s.Name!] = value;
        }
        else
        {
            s.Parent.AsArray()[s.Index] = value;
        }

        return root;
    }

    private static IEnumerable<Slot> Slots(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o.ToList())
                {
                    yield return new Slot(o, name, -1, value);
                    foreach (var inner in Slots(value))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    yield return new Slot(a, null, i, a[i]);
                    foreach (var inner in Slots(a[i]))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }

    private readonly record struct Slot(JsonNode Parent, string? Name, int Index, JsonNode? Value);
}
