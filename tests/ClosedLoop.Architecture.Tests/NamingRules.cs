using System.Xml.Linq;

namespace ClosedLoop.Architecture.Tests;

/// <summary>Folder = project = assembly = root namespace: <c>ClosedLoop.&lt;Area&gt;[.&lt;Part&gt;]</c> (CONVENTIONS.md rule 8).</summary>
public sealed class NamingRules
{
    /// <summary>ServiceDefaults follows Aspire: <c>AddServiceDefaults()</c> lives where the host builder does.</summary>
    private static readonly IReadOnlySet<(string Assembly, string Namespace)> Exceptions = new HashSet<(string, string)>
    {
        ("ClosedLoop.ServiceDefaults", "Microsoft.Extensions.Hosting"),
    };

    [Fact]
    public void Every_type_lives_under_its_assembly_s_root_namespace()
    {
        var checkedTypes = 0;
        var violations = new List<string>();
        foreach (var (name, assembly) in Product.Assemblies)
        {
            foreach (var type in assembly.GetTypes().Where(t => t.DeclaringType is null && !Product.IsGenerated(t) && !IsEntryPoint(t)))
            {
                checkedTypes++;
                var ns = type.Namespace ?? "";
                if (ns != name && !ns.StartsWith(name + ".", StringComparison.Ordinal) && !Exceptions.Contains((name, ns)))
                {
                    violations.Add($"{type.FullName} in {name} is outside namespace {name}.");
                }
            }
        }

        Assert.True(checkedTypes > Product.Assemblies.Count, $"Only {checkedTypes} types were inspected.");
        Violations.AssertNone(violations);
    }

    [Fact]
    public void Every_project_is_named_after_its_folder_and_keeps_that_name_for_assembly_and_namespace()
    {
        var projects = Directory.EnumerateFiles(Product.RepositoryRoot, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"))
            .ToList();

        var violations = new List<string>();
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            var folder = Path.GetFileName(Path.GetDirectoryName(project));
            var relative = Path.GetRelativePath(Product.RepositoryRoot, project);
            if (folder != name)
            {
                violations.Add($"{relative} sits in folder '{folder}'; the folder is named after the project.");
            }

            if (!name.StartsWith("ClosedLoop.", StringComparison.Ordinal))
            {
                violations.Add($"{relative} is not named ClosedLoop.<Area>[.<Part>].");
            }

            var overrides = XDocument.Load(project).Descendants()
                .Where(e => e.Name.LocalName is "AssemblyName" or "RootNamespace" && e.Value.Trim() != name)
                .Select(e => $"{e.Name.LocalName}={e.Value.Trim()}");
            violations.AddRange(overrides.Select(o => $"{relative} sets {o}; assembly and root namespace are the project's name."));
        }

        var unknown = Product.Assemblies.Keys.Where(a => !projects.Any(p => Path.GetFileNameWithoutExtension(p) == a));
        violations.AddRange(unknown.Select(a => $"Assembly {a} has no project of the same name."));

        Assert.Contains(projects, p => Path.GetFileNameWithoutExtension(p) == Product.Host);
        Violations.AssertNone(violations);
    }

    /// <summary>Top-level statements compile to a global <c>Program</c>; the host keeps it for WebApplicationFactory.</summary>
    private static bool IsEntryPoint(Type type) => type.Namespace is null && type.Name == "Program";
}
