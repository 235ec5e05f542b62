using System.Globalization;
using System.Text.RegularExpressions;

namespace ClosedLoop.Rules;

/// <summary>
/// Reads the default rule sets shipped in <c>rules/</c>: files named <c>&lt;order&gt;-&lt;name&gt;.json</c>
/// (e.g. <c>200-routing.json</c>), text kept byte for byte. The store imports them as version 1.
/// </summary>
public static partial class RuleSetSeeds
{
    /// <summary>Every seed in <paramref name="directory"/>, in evaluation order.</summary>
    public static IReadOnlyList<RuleSetDefinition> Read(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*.json")
            .Select(path => (Path: path, Match: SeedName().Match(Path.GetFileName(path))))
            .Where(f => f.Match.Success)
            .Select(f => new RuleSetDefinition(
                f.Match.Groups["name"].Value,
                1,
                int.Parse(f.Match.Groups["order"].Value, CultureInfo.InvariantCulture),
                File.ReadAllText(f.Path)))
            .OrderBy(d => d.Order)
            .ThenBy(d => d.Name, StringComparer.Ordinal)];

    [GeneratedRegex(@"^(?<order>\d{1,6})-(?<name>[A-Za-z0-9][A-Za-z0-9._-]*)\.json$")]
    private static partial Regex SeedName();
}
