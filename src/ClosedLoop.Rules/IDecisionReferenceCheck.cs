namespace ClosedLoop.Rules;

/// <summary>
/// Tells whether decision values name things that exist (a published workflow, a team). Registered in DI by
/// whoever owns those things; a rule set whose <c>Properties</c> name a missing one is rejected. Without a
/// registered check for a kind, values of that kind are not checked.
/// </summary>
public interface IDecisionReferenceCheck
{
    /// <summary>The kind of thing checked; matches <see cref="DecisionProperty.References"/> (e.g. <c>workflow</c>).</summary>
    string Kind { get; }

    /// <summary>Returns the values among <paramref name="values"/> that name nothing.</summary>
    ValueTask<IReadOnlyCollection<string>> FindMissingAsync(IReadOnlyCollection<string> values, CancellationToken cancellationToken);
}
