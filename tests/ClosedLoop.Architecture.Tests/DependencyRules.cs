namespace ClosedLoop.Architecture.Tests;

/// <summary>Who may reference whom (CONVENTIONS.md rules 1, 2 and 5; DESIGN.md: SharedKernel has no EF, no ASP.NET).</summary>
public sealed class DependencyRules
{
    [Fact]
    public void The_modules_are_the_folders_under_modules_each_built_as_a_module_and_its_contracts()
    {
        var onDisk = Directory.GetDirectories(Path.Combine(Product.RepositoryRoot, "modules"))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

        Assert.Equal(onDisk, Product.Modules);
        Assert.Subset(Product.Modules.ToHashSet(), Product.FoundingModules.ToHashSet());
        var missing = Product.Modules.Select(Product.ModuleAssembly).Where(n => !Product.Assemblies.ContainsKey(n)).ToList();
        Assert.True(missing.Count == 0, $"The host does not compose these module assemblies: {string.Join(", ", missing)}");
        Assert.All([Product.Host, Product.SharedKernel, .. Product.Engines], n => Assert.Contains(n, Product.Assemblies.Keys));
    }

    [Fact]
    public void A_module_references_other_modules_only_through_their_contracts()
    {
        var violations =
            from module in Product.Modules
            from reference in Product.DirectReferences(Product.ModuleAssembly(module))
            where Product.IsModuleAssembly(reference) && reference != Product.ModuleAssembly(module)
            select $"{Product.ModuleAssembly(module)} references {reference}; reference {reference}.Contracts instead.";

        Assert.NotEmpty(Product.Modules);
        Violations.AssertNone(violations);
    }

    [Fact]
    public void Only_the_host_references_a_module_assembly()
    {
        var violations =
            from name in Product.Assemblies.Keys
            where name != Product.Host
            from reference in Product.DirectReferences(name)
            where Product.IsModuleAssembly(reference) && reference != name
            select $"{name} references the module assembly {reference}; only {Product.Host} may.";

        Violations.AssertNone(violations);
        Assert.All(Product.Modules, m => Assert.Contains(Product.ModuleAssembly(m), Product.DirectReferences(Product.Host)));
    }

    [Fact]
    public void Engines_and_shared_building_blocks_know_nothing_of_the_modules()
    {
        var independent = Product.Engines.Concat(Product.BuildingBlocks).Order(StringComparer.Ordinal).ToList();

        var violations =
            from name in independent
            from reference in Product.DirectReferences(name)
            where Product.IsModuleAssembly(reference) || Product.IsContractsAssembly(reference)
            select $"{name} references {reference}; modules register with engines through DI, never the other way round.";

        Assert.Superset(new HashSet<string>([Product.SharedKernel, "ClosedLoop.Messaging", .. Product.Engines]), independent.ToHashSet());
        Violations.AssertNone(violations);
    }

    [Fact]
    public void Contracts_reference_only_the_shared_kernel_and_neither_EF_nor_ASP_NET()
    {
        var contracts = Product.Modules.Select(Product.ContractsAssembly).ToList();

        var violations = new List<string>();
        foreach (var name in contracts)
        {
            violations.AddRange(Product.DirectReferences(name)
                .Where(r => r.StartsWith("ClosedLoop.", StringComparison.Ordinal) && r != Product.SharedKernel)
                .Select(r => $"{name} references {r}; contracts may use only {Product.SharedKernel}."));
            violations.AddRange(Product.AllReferences(name)
                .Where(r => Product.IsEntityFramework(r) || Product.IsAspNetCore(r))
                .Select(r => $"{name} depends on {r}; contracts carry no EF and no ASP.NET."));
        }

        Assert.Equal(Product.FoundingModules.Count, contracts.Intersect(Product.FoundingModules.Select(Product.ContractsAssembly)).Count());
        Violations.AssertNone(violations);
    }

    [Fact]
    public void The_shared_kernel_references_neither_EF_nor_ASP_NET_nor_another_ClosedLoop_assembly()
    {
        var references = Product.AllReferences(Product.SharedKernel);

        var violations = references
            .Where(r => Product.IsEntityFramework(r) || Product.IsAspNetCore(r) || r.StartsWith("ClosedLoop.", StringComparison.Ordinal))
            .Select(r => $"{Product.SharedKernel} depends on {r}.");

        Assert.NotEmpty(references);
        Violations.AssertNone(violations);
    }
}
