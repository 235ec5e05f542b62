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

    /// <summary>A dispatcher's lease, so replicas do not work the same rows at once.</summary>
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
