using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace ClosedLoop.Workflows.Definitions;

/// <summary>The activity types a definition may use. Open: modules register theirs; the engine knows none of them.</summary>
public sealed class ActivityCatalog
{
    private static readonly HashSet<string> ReservedInputNames = new(StringComparer.Ordinal) { "id", "type", "name", "metadata", "customProperties" };
    private readonly Lock gate = new();
    private ImmutableDictionary<string, ActivityDescriptor> descriptors = ImmutableDictionary.Create<string, ActivityDescriptor>(StringComparer.Ordinal);

    public IReadOnlyCollection<ActivityDescriptor> All => descriptors.Values.OrderBy(d => d.Type, StringComparer.Ordinal).ToList();

    /// <exception cref="ArgumentException">The descriptor is malformed.</exception>
    /// <exception cref="InvalidOperationException">The type is already registered.</exception>
    public void Register(ActivityDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Check(descriptor);
        lock (gate)
        {
            if (descriptors.ContainsKey(descriptor.Type))
            {
                throw new InvalidOperationException($"Activity type '{descriptor.Type}' is already registered.");
            }

            descriptors = descriptors.Add(descriptor.Type, descriptor);
        }
    }

    public bool TryGet(string type, [NotNullWhen(true)] out ActivityDescriptor? descriptor) => descriptors.TryGetValue(type, out descriptor);

    private static void Check(ActivityDescriptor d)
    {
        if (!Identifiers.IsValidId(d.Type))
        {
            throw new ArgumentException($"Activity type '{d.Type}' must be 1-64 characters of [a-zA-Z0-9_-].", nameof(d));
        }

        Unique(d.Type, "input", d.Inputs.Select(i => i.Name));
        Unique(d.Type, "port", d.Ports);
        foreach (var input in d.Inputs)
        {
            if (string.IsNullOrWhiteSpace(input.Name) || ReservedInputNames.Contains(input.Name))
            {
                throw new ArgumentException($"{d.Type}: input name '{input.Name}' is empty or reserved.", nameof(d));
            }

            if (input.Type == InputType.Enum && (input.AllowedValues is null || input.AllowedValues.Count == 0))
            {
                throw new ArgumentException($"{d.Type}.{input.Name}: an Enum input needs AllowedValues.", nameof(d));
            }
        }

        if (d.Ports.Any(p => !Identifiers.IsValidId(p)))
        {
            throw new ArgumentException($"{d.Type}: port names must be 1-64 characters of [a-zA-Z0-9_-].", nameof(d));
        }

        if (d.Kind == ActivityKind.End && d.Ports.Count > 0)
        {
            throw new ArgumentException($"{d.Type}: an End activity has no output ports.", nameof(d));
        }

        if (d.PortsFromInput is { } source && !d.Inputs.Any(i => i.Name == source && i.Type == InputType.SwitchCases))
        {
            throw new ArgumentException($"{d.Type}: PortsFromInput '{source}' is not a SwitchCases input.", nameof(d));
        }
    }

    private static void Unique(string type, string what, IEnumerable<string> names)
    {
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"{type}: duplicate {what} '{duplicate.Key}'.", nameof(names));
        }
    }
}

internal static class Identifiers
{
    public const int MaxLength = 64;

    public static bool IsValidId(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Variables are named in expressions, so they must be identifiers and not Dynamic LINQ keywords.</summary>
    public static bool IsValidVariableName(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength
        && (char.IsAsciiLetter(value[0]) || value[0] == '_')
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
        && !ReservedVariableNames.Contains(value);

    public static readonly HashSet<string> ReservedVariableNames = new(StringComparer.OrdinalIgnoreCase)
    {
        WorkflowExpressionCompiler.CaseParameterName, "it", "parent", "root", "new", "iif", "np", "true", "false", "null", "as", "is", "in",
    };
}
