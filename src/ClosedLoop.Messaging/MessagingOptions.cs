namespace ClosedLoop.Messaging;

/// <summary>Section <c>Messaging</c>.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>Run the background dispatcher in this process (every replica may; leases keep them apart).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How often the sweep looks for messages that no commit signalled (crash, other replica, retry due).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int BatchSize { get; set; } = 100;

    /// <summary>After this many failed deliveries a message is parked as failed and logged as an error.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How long a dispatcher owns the rows it claimed before another may take them over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Processed outbox rows and inbox rows older than this are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
