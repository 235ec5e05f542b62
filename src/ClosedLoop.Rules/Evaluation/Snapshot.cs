namespace ClosedLoop.Rules.Evaluation;

/// <summary>A published set as loaded: compiled, or the reason it could not be.</summary>
internal sealed record SnapshotEntry(RuleSetDefinition Definition, CompiledRuleSet? Compiled, string? LoadError)
{
    public string Name => Definition.Name;
}

/// <summary>
/// What the engine evaluates: one catalog, compiled, in evaluation order. Immutable; the engine swaps the whole
/// snapshot atomically, so an item is evaluated entirely against one catalog.
/// </summary>
internal sealed class Snapshot
{
    public Snapshot(RuleSetCatalog catalog, IEnumerable<SnapshotEntry> entries)
    {
        Catalog = catalog;
        Entries = [.. entries.OrderBy(e => e.Definition.Order).ThenBy(e => e.Name, StringComparer.Ordinal)];
    }

    public static Snapshot Unloaded { get; } = new(new RuleSetCatalog("", []), []);

    public RuleSetCatalog Catalog { get; }

    public string Stamp => Catalog.Stamp;

    public IReadOnlyList<SnapshotEntry> Entries { get; }

    /// <summary>This snapshot with <paramref name="replacements"/> (compiled elsewhere) in place of sets of the same name.</summary>
    public Snapshot With(IReadOnlyDictionary<string, CompiledRuleSet> replacements)
    {
        var definitions = Catalog.RuleSets.Where(d => !replacements.ContainsKey(d.Name)).Concat(replacements.Values.Select(c => c.Definition)).ToList();
        var entries = Entries.Where(e => !replacements.ContainsKey(e.Name)).Concat(replacements.Values.Select(c => new SnapshotEntry(c.Definition, c, null)));
        return new Snapshot(new RuleSetCatalog($"{Stamp}+test", definitions), entries);
    }
}
