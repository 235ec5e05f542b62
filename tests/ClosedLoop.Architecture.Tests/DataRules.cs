using System.Reflection;
using System.Text.RegularExpressions;
using ClosedLoop.Messaging;
using ClosedLoop.Persistence;

namespace ClosedLoop.Architecture.Tests;

/// <summary>A module's tables are its own: one DbContext per module, in its own schema (CONVENTIONS.md rule 3).</summary>
public sealed partial class DataRules
{
    private static IReadOnlyList<Type> Contexts =>
        [.. Product.Assemblies.Values.SelectMany(a => a.GetTypes()).Where(t => !t.IsAbstract && t.IsAssignableTo(typeof(ModuleDbContext)))];

    [Fact]
    public void Each_module_has_exactly_one_internal_sealed_DbContext_in_its_Data_namespace()
    {
        var violations = new List<string>();
        foreach (var module in Product.Modules)
        {
            var assembly = Product.ModuleAssembly(module);
            var contexts = Contexts.Where(t => t.Assembly.GetName().Name == assembly).ToList();
            if (contexts.Count != 1)
            {
                violations.Add($"{assembly} has {contexts.Count} module DbContexts ({string.Join(", ", contexts.Select(c => c.FullName))}); it needs exactly one.");
            }

            violations.AddRange(contexts
                .Where(c => c.Namespace != $"{assembly}.Data")
                .Select(c => $"{c.FullName} belongs in namespace {assembly}.Data."));
        }

        violations.AddRange(Contexts
            .Where(c => c.IsVisible || !c.IsSealed)
            .Select(c => $"{c.FullName} must be internal sealed."));

        Assert.NotEmpty(Product.Modules);
        Violations.AssertNone(violations);
    }

    [Fact]
    public void Every_module_context_names_a_distinct_lowercase_schema()
    {
        var schemas = Contexts.Select(c => (Context: c, Schema: SchemaOf(c))).ToList();

        var violations = schemas
            .Where(s => s.Schema is null || !LowercaseIdentifier().IsMatch(s.Schema))
            .Select(s => $"{s.Context.FullName} names schema '{s.Schema}'; use a lowercase identifier ([a-z][a-z0-9_]*).")
            .Concat(schemas
                .GroupBy(s => s.Schema, StringComparer.Ordinal)
                .Where(g => g.Count() > 1)
                .Select(g => $"Schema '{g.Key}' is shared by {string.Join(", ", g.Select(s => s.Context.FullName))}."));

        Assert.True(schemas.Count >= Product.Modules.Count, $"Found {schemas.Count} module contexts for {Product.Modules.Count} modules.");
        Violations.AssertNone(violations);
    }

    private static string? SchemaOf(Type context) =>
        context.IsAssignableTo(typeof(IModuleDbContext))
            ? context.GetProperty(nameof(IModuleDbContext.Schema), BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string
            : null;

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex LowercaseIdentifier();
}
