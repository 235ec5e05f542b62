using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// An input's decision properties by position, shared by every decision of that input: a decision is then one
/// array of values (<see cref="DecisionMap"/>), not a dictionary of its own per item.
/// </summary>
internal sealed class DecisionSchema
{
    private readonly Dictionary<string, int> _slots;

    public DecisionSchema(IReadOnlyList<DecisionProperty> properties)
    {
        Properties = properties;
        Names = [.. properties.Select(p => p.Name)];
        _slots = properties.Select((p, i) => (p.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>The properties in the order the input declared them, which is the order a decision lists them in.</summary>
    public IReadOnlyList<DecisionProperty> Properties { get; }

    public string[] Names { get; }

    public int Count => Names.Length;

    /// <summary>The position of property <paramref name="name"/>, or -1.</summary>
    public int Slot(string name) => _slots.TryGetValue(name, out var slot) ? slot : -1;
}

/// <summary>
/// A decision's values over a <see cref="DecisionSchema"/>: a value per position, null where nothing was decided.
/// Read-only; lists the decided properties in the schema's order.
/// </summary>
internal sealed class DecisionMap(DecisionSchema schema, object?[] values) : IReadOnlyDictionary<string, object>
{
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var value in values)
            {
                count += value is null ? 0 : 1;
            }

            return count;
        }
    }

    public IEnumerable<string> Keys
    {
        get
        {
            foreach (var (key, _) in this)
            {
                yield return key;
            }
        }
    }

    public IEnumerable<object> Values
    {
        get
        {
            foreach (var (_, value) in this)
            {
                yield return value;
            }
        }
    }

    public object this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No decision for '{key}'.");

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object value)
    {
        var slot = schema.Slot(key);
        value = slot >= 0 ? values[slot] : null;
        return value is not null;
    }

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } value)
            {
                yield return new KeyValuePair<string, object>(schema.Names[i], value);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
