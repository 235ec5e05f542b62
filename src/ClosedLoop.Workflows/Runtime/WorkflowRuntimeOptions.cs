namespace ClosedLoop.Workflows.Runtime;

/// <summary>Section <c>Workflows:Runtime</c>.</summary>
internal sealed class WorkflowRuntimeOptions
{
    public const string Section = "Workflows:Runtime";

    /// <summary>Run loops in this host (a host may serve only the API).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Instances run in parallel by this host.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>How often runnable instances nobody signalled (another host's stimulus, a crash) are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claimed instance is another host's to leave alone.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Steps per run before it commits and goes on in a new run (bounds a run's transaction).</summary>
    public int MaxStepsPerRun { get; set; } = 200;

    /// <summary>How long the execution log of a finished instance is kept (its instance row stays).</summary>
    public TimeSpan LogRetention { get; set; } = TimeSpan.FromDays(180);

    /// <summary>How often logs past their retention are deleted.</summary>
    public TimeSpan LogRetentionInterval { get; set; } = TimeSpan.FromHours(1);
}
