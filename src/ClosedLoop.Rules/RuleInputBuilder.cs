using System.Text.RegularExpressions;
using ClosedLoop.Rules.Evaluation;

namespace ClosedLoop.Rules;

/// <summary>
/// How a module describes its rules input: the decision properties rules may set, the helpers expressions may
/// call, sample inputs for dry runs, and the default route. Used inside
/// <see cref="RulesServiceCollectionExtensions.AddRulesEngine{TInput}"/>.
/// </summary>
/// <typeparam name="TInput">A sealed, method-free record whose public properties are what rules read.</typeparam>
public sealed partial class RuleInputBuilder<TInput>
    where TInput : class
{
    private readonly List<DecisionProperty> _properties = [];
    private readonly Dictionary<string, Func<TInput, IReadOnlyList<string>, TInput>> _feeders = new(StringComparer.Ordinal);
    private readonly List<Type> _helpers = [];
    private readonly List<TInput> _samples = [];
    private readonly Dictionary<string, object> _fallback = new(StringComparer.Ordinal);

    internal RuleInputBuilder(string inputName)
    {
        if (!IdentifierPattern().IsMatch(inputName))
        {
            throw new ArgumentException($"Input name '{inputName}' must be a camelCase identifier.", nameof(inputName));
        }

        if (!typeof(TInput).IsSealed)
        {
            throw new ArgumentException($"{typeof(TInput).Name} must be sealed: compiled rules are cached by the input's exact type.");
        }

        InputName = inputName;
    }

    internal string InputName { get; }

    /// <summary>A true/false property (e.g. <c>openCase</c>); first matching rule wins.</summary>
    public RuleInputBuilder<TInput> Flag(string name) => Add(new DecisionProperty(name, DecisionKind.Flag, DecisionMerge.FirstWins));

    /// <summary>A free-text property (e.g. <c>team</c>); first matching rule wins. <paramref name="references"/> names what its values refer to.</summary>
    public RuleInputBuilder<TInput> Text(string name, string? references = null) =>
        Add(new DecisionProperty(name, DecisionKind.Text, DecisionMerge.FirstWins) { References = references });

    /// <summary>A property with fixed values (e.g. <c>priority</c>); first matching rule wins.</summary>
    public RuleInputBuilder<TInput> Choice(string name, params string[] values) =>
        Add(new DecisionProperty(name, DecisionKind.Choice, DecisionMerge.FirstWins) { Choices = values.Length > 0 ? values : throw new ArgumentException("A choice needs values.", nameof(values)) });

    /// <summary>A whole number within [<paramref name="minimum"/>, <paramref name="maximum"/>] (e.g. <c>slaHours</c>); first matching rule wins.</summary>
    public RuleInputBuilder<TInput> Integer(string name, int minimum, int maximum) =>
        Add(new DecisionProperty(name, DecisionKind.Integer, DecisionMerge.FirstWins) { Minimum = minimum, Maximum = maximum <= minimum ? throw new ArgumentException("Empty range.", nameof(maximum)) : maximum });

    /// <summary>
    /// A list property (e.g. <c>topics</c>) every matching rule adds to. With <paramref name="feedsInput"/>, the
    /// values decided by earlier rule sets are given to later ones: before each set runs, the input is
    /// <c>feedsInput(original input, values decided so far)</c>.
    /// </summary>
    public RuleInputBuilder<TInput> List(string name, Func<TInput, IReadOnlyList<string>, TInput>? feedsInput = null)
    {
        Add(new DecisionProperty(name, DecisionKind.List, DecisionMerge.All));
        if (feedsInput is not null)
        {
            _feeders[name] = feedsInput;
        }

        return this;
    }

    /// <summary>
    /// Static classes whose public static methods expressions may call by the class's name. The built-in
    /// <c>Text</c> and <c>Lists</c> helpers are always registered. Register only small, obviously safe code.
    /// </summary>
    public RuleInputBuilder<TInput> Helpers(params Type[] types)
    {
        foreach (var type in types)
        {
            if (!(type.IsAbstract && type.IsSealed))
            {
                throw new ArgumentException($"Helper {type.Name} must be a static class.", nameof(types));
            }

            _helpers.Add(type);
        }

        return this;
    }

    /// <summary>Realistic inputs every rule set is dry-run on before it is accepted (at least one).</summary>
    public RuleInputBuilder<TInput> Samples(params TInput[] samples)
    {
        _samples.AddRange(samples);
        return this;
    }

    /// <summary>
    /// One value of the default route, used when an item cannot be evaluated in time (see <see cref="RoutingResult.Fallback"/>):
    /// <see cref="bool"/> for flags, <see cref="string"/> for text and choices, <see cref="int"/> for integers,
    /// <c>string[]</c> for lists.
    /// </summary>
    public RuleInputBuilder<TInput> Fallback(string property, object value)
    {
        _fallback[property] = value;
        return this;
    }

    internal RuleInput<TInput> Build()
    {
        if (_samples.Count == 0)
        {
            throw new InvalidOperationException($"Rules input '{InputName}' needs at least one sample for dry runs.");
        }

        var properties = _properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (name, value) in _fallback)
        {
            var problem = properties.TryGetValue(name, out var property) ? DecisionValues.Check(property, value) : "no such decision property";
            if (problem is not null)
            {
                throw new InvalidOperationException($"Fallback '{name}' of rules input '{InputName}' is not valid: {problem}.");
            }
        }

        return new RuleInput<TInput>(
            InputName,
            [.. _properties],
            new Dictionary<string, Func<TInput, IReadOnlyList<string>, TInput>>(_feeders, StringComparer.Ordinal),
            [typeof(global::ClosedLoop.Rules.Helpers.Text), typeof(global::ClosedLoop.Rules.Helpers.Lists), .. _helpers.Distinct()],
            [.. _samples],
            new RuleDecision(_fallback.ToDictionary(kv => kv.Key, kv => kv.Value is string[] list ? (object)list.ToArray() : kv.Value, StringComparer.Ordinal)));
    }

    private RuleInputBuilder<TInput> Add(DecisionProperty property)
    {
        if (!IdentifierPattern().IsMatch(property.Name) || property.Name.StartsWith("x-", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Decision property '{property.Name}' must be a camelCase identifier.");
        }

        if (_properties.Any(p => p.Name == property.Name))
        {
            throw new ArgumentException($"Decision property '{property.Name}' is declared twice.");
        }

        _properties.Add(property);
        return this;
    }

    [GeneratedRegex("^[a-z][A-Za-z0-9]*$")]
    private static partial Regex IdentifierPattern();
}

/// <summary>A registered rules input: everything the engine knows about one module's input type.</summary>
internal sealed record RuleInput<TInput>(
    string Name,
    IReadOnlyList<DecisionProperty> Properties,
    IReadOnlyDictionary<string, Func<TInput, IReadOnlyList<string>, TInput>> Feeders,
    IReadOnlyList<Type> Helpers,
    IReadOnlyList<TInput> Samples,
    RuleDecision Fallback)
    where TInput : class
{
    /// <summary>The decision properties by position, shared by every decision routed for this input.</summary>
    public Evaluation.DecisionSchema Schema { get; } = new(Properties);

    public DecisionProperty? Find(string name) => Properties.FirstOrDefault(p => p.Name == name);
}
