using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClosedLoop.Architecture.Tests;

/// <summary>
/// The product as built: every ClosedLoop assembly in the host's output, loaded by name, classified into
/// host, modules, contracts, engines and shared building blocks, with what each one references.
/// </summary>
internal static partial class Product
{
    public const string Host = "ClosedLoop.Api";
    public const string SharedKernel = "ClosedLoop.SharedKernel";

    /// <summary>The engines know nothing of the modules (DESIGN.md, CONVENTIONS.md rule 5).</summary>
    public static readonly IReadOnlyList<string> Engines = ["ClosedLoop.Rules", "ClosedLoop.Workflows"];

    /// <summary>The modules the product owner named; more may come, none of these may go.</summary>
    public static readonly IReadOnlyList<string> FoundingModules = ["Feedback", "Cases", "Communication", "Insights"];

    private static readonly Lazy<IReadOnlyDictionary<string, Assembly>> Loaded = new(Load);
    private static readonly Lazy<IReadOnlyDictionary<string, string[]>> Declared = new(ReadDeclaredDependencies);
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>Every ClosedLoop assembly except test assemblies, by name.</summary>
    public static IReadOnlyDictionary<string, Assembly> Assemblies => Loaded.Value;

    /// <summary>Module names, discovered from the loaded <c>ClosedLoop.X.Contracts</c> assemblies.</summary>
    public static IReadOnlyList<string> Modules =>
        [.. Assemblies.Keys.Select(n => ContractsName().Match(n)).Where(m => m.Success).Select(m => m.Groups["module"].Value).Order(StringComparer.Ordinal)];

    public static string RepositoryRoot => Root.Value;

    public static string ModuleAssembly(string module) => $"ClosedLoop.{module}";

    public static string ContractsAssembly(string module) => $"ClosedLoop.{module}.Contracts";

    public static bool IsModuleAssembly(string name) => Modules.Any(m => name == ModuleAssembly(m));

    public static bool IsContractsAssembly(string name) => Modules.Any(m => name == ContractsAssembly(m));

    /// <summary>Libraries every part may use: neither host, nor module, nor contracts, nor engine.</summary>
    public static IEnumerable<string> BuildingBlocks =>
        Assemblies.Keys.Where(n => n != Host && !IsModuleAssembly(n) && !IsContractsAssembly(n) && !Engines.Contains(n));

    public static Assembly Get(string name) =>
        Assemblies.TryGetValue(name, out var assembly) ? assembly : throw new InvalidOperationException($"Assembly {name} is not in the host's build output.");

    /// <summary>
    /// What <paramref name="name"/> references: assemblies in its metadata (what the code uses) and, from the
    /// deps file, the projects and packages its project declares (which the compiler drops when unused).
    /// </summary>
    public static IReadOnlySet<string> DirectReferences(string name) =>
        Get(name).GetReferencedAssemblies().Select(a => a.Name!)
            .Concat(Declared.Value.GetValueOrDefault(name, []))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Everything <paramref name="name"/> pulls in, directly or through what it references.</summary>
    public static IReadOnlySet<string> AllReferences(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(DirectReferences(name));
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }

            foreach (var reference in Declared.Value.GetValueOrDefault(next, []))
            {
                pending.Push(reference);
            }

            if (Assemblies.TryGetValue(next, out var assembly))
            {
                foreach (var reference in assembly.GetReferencedAssemblies())
                {
                    pending.Push(reference.Name!);
                }
            }
        }

        return seen;
    }

    public static bool IsEntityFramework(string reference) =>
        reference.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
        || reference.Contains(".EntityFrameworkCore", StringComparison.Ordinal);

    public static bool IsAspNetCore(string reference) => reference.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal);

    /// <summary>Emitted by the compiler or a source generator rather than written by us.</summary>
    public static bool IsGenerated(Type type) =>
        type.Name.StartsWith('<')
        || type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        || type.IsDefined(typeof(System.CodeDom.Compiler.GeneratedCodeAttribute), inherit: false)
        || (type.DeclaringType is { } outer && IsGenerated(outer));

    public static IEnumerable<Type> BaseTypes(Type type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            yield return current;
        }
    }

    [GeneratedRegex(@"^ClosedLoop\.(?<module>[A-Z][A-Za-z0-9]*)\.Contracts$")]
    private static partial Regex ContractsName();

    private static IReadOnlyDictionary<string, Assembly> Load()
    {
        var self = typeof(Product).Assembly.GetName().Name;
        return Directory.GetFiles(AppContext.BaseDirectory, "ClosedLoop.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(n => n != self && !n.EndsWith(".Tests", StringComparison.Ordinal))
            .ToDictionary(n => n, n => Assembly.Load(new AssemblyName(n)), StringComparer.Ordinal);
    }

    /// <summary>Direct dependencies per library from this test assembly's deps file (projects and packages).</summary>
    private static IReadOnlyDictionary<string, string[]> ReadDeclaredDependencies()
    {
        var path = Path.Combine(AppContext.BaseDirectory, typeof(Product).Assembly.GetName().Name + ".deps.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var target = document.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        var dependencies = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var library in target.EnumerateObject())
        {
            var name = library.Name[..library.Name.IndexOf('/', StringComparison.Ordinal)];
            dependencies[name] = library.Value.TryGetProperty("dependencies", out var declared)
                ? [.. declared.EnumerateObject().Select(d => d.Name)]
                : [];
        }

        return dependencies;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ClosedLoop.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ClosedLoop.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
