namespace ClosedLoop.Rules.Tests;

/// <summary>A rule-set store in memory: publish replaces the catalog; counts reads so tests see what was cheap.</summary>
internal sealed class FakeSource(RuleSetCatalog catalog) : IRuleSetSource
{
    private RuleSetCatalog _catalog = catalog;

    public int StampReads { get; private set; }

    public int Loads { get; private set; }

    public void Publish(RuleSetCatalog catalog) => _catalog = catalog;

    public ValueTask<string> GetStampAsync(string inputName, CancellationToken cancellationToken)
    {
        StampReads++;
        var stamp = _catalog.Stamp;
        return SlowStamp is { } slow ? Later(slow(), stamp) : ValueTask.FromResult(stamp);

        static async ValueTask<string> Later(Task delay, string stamp)
        {
            await delay;
            return stamp;
        }
    }

    /// <summary>Awaited after the stamp is read and before it is returned: a slow stamp read.</summary>
    public Func<Task>? SlowStamp { get; set; }

    /// <summary>Awaited after the catalog is read and before it is returned: a slow load.</summary>
    public Func<Task>? Slow { get; set; }

    public async ValueTask<RuleSetCatalog> LoadAsync(string inputName, CancellationToken cancellationToken)
    {
        Loads++;
        var catalog = _catalog;
        if (Slow is { } slow)
        {
            await slow();
        }

        return catalog;
    }
}
