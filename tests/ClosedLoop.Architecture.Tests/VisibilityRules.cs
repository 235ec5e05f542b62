using System.Reflection;
using ClosedLoop.SharedKernel;

namespace ClosedLoop.Architecture.Tests;

/// <summary>
/// <c>internal sealed</c> by default; public only for contracts and module registration; internals shown
/// only to the assembly's own tests (CONVENTIONS.md rules 2, 4 and 9).
/// </summary>
public sealed class VisibilityRules
{
    [Fact]
    public void A_module_exposes_only_its_static_registration_class()
    {
        var violations = new List<string>();
        foreach (var module in Product.Modules)
        {
            var assembly = Product.Get(Product.ModuleAssembly(module));
            var registration = $"ClosedLoop.{module}.{module}Module";
            var exported = assembly.GetExportedTypes().Where(t => !Product.IsGenerated(t) && !IsScaffoldedMigration(t, module)).ToList();
            violations.AddRange(exported
                .Where(t => t.FullName != registration)
                .Select(t => $"{assembly.GetName().Name} exposes {t.FullName}; make it internal (only {registration} is public)."));
            var found = exported.SingleOrDefault(t => t.FullName == registration);
            if (found is null)
            {
                violations.Add($"{assembly.GetName().Name} has no public registration class {registration}.");
            }
            else if (!(found.IsAbstract && found.IsSealed))
            {
                violations.Add($"{registration} must be a static class.");
            }
        }

        Assert.NotEmpty(Product.Modules);
        Violations.AssertNone(violations);
    }

    [Fact]
    public void Contracts_expose_only_records_enums_interfaces_and_integration_events()
    {
        var contracts = Product.Modules.Select(m => Product.Get(Product.ContractsAssembly(m))).ToList();

        var violations = contracts
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !Product.IsGenerated(t))
            .SelectMany(t => ContractShape.Violations(t).Select(v => $"{t.Assembly.GetName().Name}: {v}"));

        Assert.Equal(Product.Modules.Count, contracts.Count);
        Assert.NotEmpty(contracts);
        Violations.AssertNone(violations);
    }

    [Fact]
    public void Every_integration_event_anywhere_is_a_sealed_record_named_after_what_happened()
    {
        var types = Product.Assemblies.Values.SelectMany(a => a.GetTypes()).Where(t => !Product.IsGenerated(t)).ToList();

        var violations = types
            .Where(t => t != typeof(IntegrationEvent))
            .Where(t => ContractShape.IsIntegrationEvent(t) || ContractShape.IsNamedLikeAnEvent(t))
            .SelectMany(ContractShape.EventViolations);

        // The scan must reach the kernel that declares the base, or it proves nothing.
        Assert.Contains(typeof(IntegrationEvent), types);
        Violations.AssertNone(violations);
    }

    [Theory]
    [InlineData(typeof(Samples.CaseSummary), null)]
    [InlineData(typeof(Samples.Priority), null)]
    [InlineData(typeof(Samples.ICasesApi), null)]
    [InlineData(typeof(Samples.CaseRoutes), null)]
    [InlineData(typeof(Samples.CaseOpenedIntegrationEvent), null)]
    [InlineData(typeof(Samples.MutableCase), "settable")]
    [InlineData(typeof(Samples.CaseEntity), "not a record")]
    [InlineData(typeof(Samples.CaseWithField), "mutable field")]
    [InlineData(typeof(Samples.OpenCaseIntegrationEvent), "sealed")]
    [InlineData(typeof(Samples.CaseClosed), "named")]
    [InlineData(typeof(Samples.CasePage), "Microsoft.EntityFrameworkCore")]
    public void The_contract_shape_rule_accepts_and_rejects_what_it_should(Type sample, string? expectedViolation)
    {
        var violations = ContractShape.Violations(sample);

        if (expectedViolation is null)
        {
            Violations.AssertNone(violations);
        }
        else
        {
            Assert.Contains(violations, v => v.Contains(expectedViolation, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Internals_are_visible_only_to_the_assembly_s_own_tests()
    {
        var grants = Product.Assemblies.Values
            .SelectMany(a => a.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
                .Select(g => (Assembly: a.GetName().Name!, Friend: g.AssemblyName.Split(',')[0].Trim())))
            .ToList();

        var violations = grants
            .Where(g => g.Friend != g.Assembly + ".Tests")
            .Select(g => $"{g.Assembly} shows its internals to {g.Friend}; only {g.Assembly}.Tests may see them.");

        Assert.Contains(("ClosedLoop.Messaging", "ClosedLoop.Messaging.Tests"), grants);
        Violations.AssertNone(violations);
    }

    /// <summary>
    /// <c>dotnet ef migrations add</c> scaffolds migrations as public classes and offers no switch for internal;
    /// hand-editing every generated file would be undone by the next one. The snapshot it scaffolds is internal.
    /// </summary>
    private static bool IsScaffoldedMigration(Type type, string module) =>
        type.Namespace?.StartsWith($"ClosedLoop.{module}.Data.Migrations.", StringComparison.Ordinal) == true
        && Product.BaseTypes(type).Any(b => b.FullName == "Microsoft.EntityFrameworkCore.Migrations.Migration");
}
