namespace ClosedLoop.Architecture.Tests;

internal static class Violations
{
    /// <summary>Fails listing every violation in full (Assert.Empty would cut each one short).</summary>
    public static void AssertNone(IEnumerable<string> violations)
    {
        var found = violations.ToList();
        Assert.True(found.Count == 0, $"{found.Count} violation(s):{Environment.NewLine}{string.Join(Environment.NewLine, found.Select(v => "  - " + v))}");
    }
}
