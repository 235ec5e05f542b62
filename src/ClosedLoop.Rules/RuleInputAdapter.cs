using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClosedLoop.Rules;

/// <summary>
/// One registered input seen without its type, so the store and its admin API serve every input alike without
/// knowing the modules' records. <see cref="RulesServiceCollectionExtensions.AddRulesEngine{TInput}"/> registers one per input.
/// </summary>
internal interface IRuleInput
{
    /// <summary>The input's name (e.g. <c>feedback</c>).</summary>
    string Name { get; }

    /// <summary>A realistic sample of the input as JSON (the module's first dry-run sample), for API documentation.</summary>
    JsonNode Example { get; }

    /// <summary>Loads the published catalog when the store's stamp moved (see <see cref="IRuleEngine{TInput}.RefreshAsync"/>).</summary>
    ValueTask<bool> RefreshAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Validates <paramref name="candidate"/> against the published catalog, refreshed first; returns the stamp of
    /// the catalog it was checked against, so a publication can tell whether the catalog moved in the meantime.
    /// </summary>
    ValueTask<(RuleSetValidation Validation, string? Stamp)> ValidateAsync(RuleSetDefinition candidate, CancellationToken cancellationToken);

    /// <summary>
    /// Dry-runs a JSON sample of the input against the loaded catalog, or with <paramref name="candidate"/> in
    /// place of its namesake. A sample that cannot be read as the input gives <see cref="RuleDryRun.InputError"/>.
    /// </summary>
    ValueTask<RuleDryRun> TestAsync(JsonElement input, RuleSetDefinition? candidate, CancellationToken cancellationToken);
}

/// <summary>The outcome of a dry run on a JSON sample: why the sample could not be read, or the engine's result.</summary>
internal sealed record RuleDryRun(string? InputError, RuleSetTestResult? Result);

/// <summary>The registered inputs, by name.</summary>
internal sealed class RuleInputs(IEnumerable<IRuleInput> inputs)
{
    private readonly IReadOnlyDictionary<string, IRuleInput> _byName = inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    public IRuleInput? Find(string? name) => name is not null && _byName.TryGetValue(name, out var input) ? input : null;

    /// <summary>The input a new rule set belongs to: the one asked for, else the only one there is.</summary>
    public IRuleInput? Choose(string? requested, out string? problem)
    {
        problem = null;
        if (!string.IsNullOrWhiteSpace(requested))
        {
            var found = Find(requested.Trim());
            problem = found is null ? $"Unknown input '{requested}'; registered: {string.Join(", ", Names)}." : null;
            return found;
        }

        if (_byName.Count == 1)
        {
            return _byName.Values.Single();
        }

        problem = _byName.Count == 0
            ? "No rules input is registered."
            : $"Several inputs are registered; name one with ?input= ({string.Join(", ", Names)}).";
        return null;
    }
}

/// <summary>The adapter for one input type: samples arrive as JSON and are read into <typeparamref name="TInput"/>.</summary>
internal sealed class RuleInputAdapter<TInput>(IRuleEngine<TInput> engine, TInput example) : IRuleInput
    where TInput : class
{
    /// <summary>
    /// Web names (camelCase, any case accepted), and strict: a member the input does not have is a typo worth
    /// reporting, and an explicit null where the record promises a value would break the "never null" contract
    /// rules rely on.
    /// </summary>
    private static readonly JsonSerializerOptions SampleOptions = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 16,
    };

    public string Name => engine.InputName;

    public JsonNode Example => JsonSerializer.SerializeToNode(example, JsonSerializerOptions.Web) ?? new JsonObject();

    public ValueTask<bool> RefreshAsync(CancellationToken cancellationToken) => engine.RefreshAsync(cancellationToken);

    public async ValueTask<(RuleSetValidation Validation, string? Stamp)> ValidateAsync(RuleSetDefinition candidate, CancellationToken cancellationToken)
    {
        // Stamp read after a refresh and before validating: the validation saw this catalog or a newer one, so a
        // publication that finds the store still at this stamp knows nothing changed under the validation.
        await engine.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var stamp = engine.Stamp;
        var validation = await engine.ValidateAsync(candidate, cancellationToken).ConfigureAwait(false);
        return (validation, stamp);
    }

    public async ValueTask<RuleDryRun> TestAsync(JsonElement input, RuleSetDefinition? candidate, CancellationToken cancellationToken)
    {
        var sample = Read(input, out var error);
        if (sample is null)
        {
            return new RuleDryRun(error, null);
        }

        await engine.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return new RuleDryRun(null, await engine.TestAsync(sample, candidate, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The sample laid over an empty input (<c>""</c>, 0, empty lists and maps, null where the record allows it,
    /// now for times), so a person testing a rule writes only the members the rule reads.
    /// </summary>
    internal static TInput? Read(JsonElement input, out string? error)
    {
        error = null;
        if (input.ValueKind != JsonValueKind.Object)
        {
            error = $"input must be a JSON object shaped like the '{typeof(TInput).Name}' rules read.";
            return null;
        }

        try
        {
            var merged = Blank(typeof(TInput), 0) as JsonObject ?? [];
            Overlay(merged, JsonObject.Create(input)!);
            return merged.Deserialize<TInput>(SampleOptions) ?? throw new JsonException("input is null.");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            error = $"input cannot be read as '{typeof(TInput).Name}': {ex.Message}";
            return null;
        }
    }

    private static void Overlay(JsonObject target, JsonObject source)
    {
        foreach (var (name, value) in source.ToList())
        {
            var key = target.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) ?? name;
            if (value is JsonObject nested && target[key] is JsonObject existing)
            {
                Overlay(existing, nested);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static JsonNode? Blank(Type type, int depth)
    {
        if (Nullable.GetUnderlyingType(type) is not null)
        {
            return null;
        }

        if (type == typeof(string))
        {
            return "";
        }

        if (type == typeof(bool))
        {
            return false;
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return JsonValue.Create(DateTimeOffset.UtcNow);
        }

        if (type.IsPrimitive || type == typeof(decimal))
        {
            return 0;
        }

        if (type.IsEnum || type.IsValueType || depth > 8)
        {
            return JsonSerializer.SerializeToNode(type.IsValueType ? Activator.CreateInstance(type) : null, type);
        }

        if (IsMap(type))
        {
            return new JsonObject();
        }

        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            return new JsonArray();
        }

        // A record: one member per constructor parameter, by the name the serializer reads.
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (constructor is null)
        {
            return new JsonObject();
        }

        var nullability = new NullabilityInfoContext();
        var blank = new JsonObject();
        foreach (var parameter in constructor.GetParameters())
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!);
            blank[name] = !parameter.ParameterType.IsValueType && nullability.Create(parameter).WriteState == NullabilityState.Nullable
                ? null
                : Blank(parameter.ParameterType, depth + 1);
        }

        return blank;
    }

    private static bool IsMap(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
        && (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(Dictionary<,>));
}
