namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>Section <c>Workflows:Timers</c>: how this node's Quartz scheduler fires the runtime's timers.</summary>
internal sealed class WorkflowTimerOptions
{
    public const string Section = "Workflows:Timers";

    /// <summary>
    /// Fire timers on this node. Off, the node still stores and removes triggers (the engine schedules them in its
    /// transactions) but never acquires one: another node, sharing the database, fires them.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many timers this node runs at once (Quartz's thread pool; the jobs are asynchronous).</summary>
    public int ThreadCount { get; set; } = 8;

    /// <summary>
    /// How many due triggers one acquisition round takes. A round is a few statements and a commit whatever its size,
    /// so a batch is what lets a node fire more than a hundred timers a second; Quartz refuses one above
    /// <see cref="ThreadCount"/> (what it cannot run at once it would only hold from the other nodes).
    /// </summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>
    /// How long the scheduler sleeps when no trigger is due before it looks again. A trigger stored by this node wakes
    /// it at once, so this bounds how late a timer stored by another node, or made due by a clock moved forward
    /// (tests), fires: 1 s (Quartz's minimum) costs one indexed query per second per node.
    /// </summary>
    public TimeSpan IdleWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How late a trigger may be before it counts as misfired (a timer due while no node ran, or with every thread
    /// busy); it then fires at once (its explicit misfire instruction). The misfire scan runs every
    /// <see cref="IdleWait"/>, so a timer overdue by more than this still fires within about a second.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before a timer whose sink failed fires again; it doubles on every failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Problems()
    {
        if (ThreadCount is < 1 or > 256)
        {
            yield return $"{Section}:ThreadCount must be between 1 and 256.";
        }

        if (BatchSize < 1 || BatchSize > ThreadCount)
        {
            yield return $"{Section}:BatchSize must be between 1 and ThreadCount ({ThreadCount}).";
        }

        if (IdleWait < TimeSpan.FromSeconds(1) || IdleWait > TimeSpan.FromMinutes(5))
        {
            yield return $"{Section}:IdleWait must be between 00:00:01 (Quartz's minimum) and 00:05:00.";
        }

        if (MisfireThreshold < TimeSpan.FromSeconds(1) || MisfireThreshold > TimeSpan.FromHours(1))
        {
            yield return $"{Section}:MisfireThreshold must be between 00:00:01 and 01:00:00.";
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay || MaxRetryDelay > TimeSpan.FromDays(1))
        {
            yield return $"{Section}:RetryDelay must be positive and no longer than MaxRetryDelay (at most a day).";
        }
    }
}
