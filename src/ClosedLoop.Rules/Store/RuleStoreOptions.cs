namespace ClosedLoop.Rules.Store;

/// <summary>The store's settings, section <c>Rules</c> (next to the engine's <see cref="RuleEngineOptions"/>).</summary>
internal sealed class RuleStoreOptions
{
    public const string Section = "Rules";

    /// <summary>
    /// Where the default rule sets are read from at start-up; default <c>rules/</c> next to the host's binaries
    /// (the build copies the repository's <c>rules/*.json</c> there).
    /// </summary>
    public string? SeedDirectory { get; set; }

    /// <summary>Import the default rule sets missing from the store at start-up.</summary>
    public bool SeedOnStartup { get; set; } = true;

    /// <summary>Incidents older than this are deleted.</summary>
    public TimeSpan IncidentRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Incidents waiting to be written; beyond this, new ones are only logged (a storm must not eat memory).</summary>
    public int IncidentQueueCapacity { get; set; } = 1_000;

    public string ResolveSeedDirectory() =>
        string.IsNullOrWhiteSpace(SeedDirectory)
            ? Path.Combine(AppContext.BaseDirectory, "rules")
            : Path.GetFullPath(SeedDirectory, AppContext.BaseDirectory);
}
