namespace ClosedLoop.Messaging;

/// <summary>An integration event waiting in its producer's schema to be handed to every handler.</summary>
internal sealed class OutboxMessage
{
    public Guid Id { get; set; }

    public required string Type { get; set; }

    public required string Payload { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>
    /// Leased forever: what a settled (processed or parked) message carries in <see cref="LockedUntil"/>, so that a
    /// lease can tell a free row by <see cref="LockedUntil"/> alone (see the dispatcher's claim).
    /// </summary>
    public static readonly DateTimeOffset Settled = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A dispatcher's lease, so replicas do not work the same rows at once; <see cref="Settled"/> once settled.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public Guid? LockToken { get; set; }

    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>Set when the attempts ran out; such a message waits for an operator.</summary>
    public DateTimeOffset? FailedAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>One handler has handled one message: the handler's side effects and this row commit together.</summary>
internal sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public required string Handler { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
