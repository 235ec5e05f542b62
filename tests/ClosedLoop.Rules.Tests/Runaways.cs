namespace ClosedLoop.Rules.Tests;

/// <summary>
/// Tests whose rules hold evaluation workers for a second or more run alone, after the others: the workers are
/// shared by the process, as in production, and a held worker would make unrelated tests' items wait.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Runaways
{
    public const string Name = "runaways";
}
