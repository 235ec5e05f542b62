namespace ClosedLoop.Messaging;

/// <summary>Section <c>Messaging</c>.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>Run the background dispatcher in this process (every replica may; leases keep them apart).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How often the sweep looks for messages that no commit signalled (crash, other replica, retry due).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Messages one dispatch claims from a module's outbox and hands to each handler in one transaction. After an
    /// import of 100,000 rows, 500 empties every outbox in about half the time 100 took (bench/README.md, "Import with
    /// routing and cases"): each batch has the same few round trips and one commit, whatever its size.
    /// </summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>After this many failed deliveries a message is parked as failed and logged as an error.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How long a dispatcher owns the rows it claimed before another may take them over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Processed outbox rows and inbox rows older than this are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
