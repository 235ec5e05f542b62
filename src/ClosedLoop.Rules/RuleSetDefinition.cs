namespace ClosedLoop.Rules;

/// <summary>
/// One version of a rule set as the store keeps it: RulesEngine Workflow JSON, byte for byte as submitted, plus
/// the store's metadata. The engine only reads <see cref="Json"/>; it never rewrites it.
/// </summary>
/// <param name="Name">The rule set's name; equals the JSON's <c>WorkflowName</c>.</param>
/// <param name="Version">The store's version number of this text (shown in explanations).</param>
/// <param name="Order">
/// When it runs among the published sets: ascending, ties broken by name (ordinal). Topic tagging sets run
/// before routing sets so routing rules can test <c>feedback.Topics</c>.
/// </param>
/// <param name="Json">The Workflow JSON as submitted.</param>
public sealed record RuleSetDefinition(string Name, int Version, int Order, string Json);

/// <summary>
/// Every published rule set of one input, and a stamp that changes whenever any of them changes (e.g. the
/// store's highest publication sequence number). The engine recompiles only when the stamp differs.
/// </summary>
/// <param name="Stamp">Opaque; equal stamps mean equal catalogs.</param>
/// <param name="RuleSets">The published sets (one version per name), in any order.</param>
public sealed record RuleSetCatalog(string Stamp, IReadOnlyList<RuleSetDefinition> RuleSets)
{
    /// <summary>No rule sets: every item gets an empty decision.</summary>
    public static RuleSetCatalog Empty { get; } = new("empty", []);
}

/// <summary>
/// Where the engine reads published rule sets from (the database store implements it). Registered in DI; when
/// present, <see cref="IRuleEngine{TInput}.RefreshAsync"/> uses it.
/// </summary>
public interface IRuleSetSource
{
    /// <summary>The current stamp for <paramref name="inputName"/>; must be cheap (one indexed read).</summary>
    ValueTask<string> GetStampAsync(string inputName, CancellationToken cancellationToken);

    /// <summary>The published catalog for <paramref name="inputName"/>, with the stamp it was read at.</summary>
    ValueTask<RuleSetCatalog> LoadAsync(string inputName, CancellationToken cancellationToken);
}
