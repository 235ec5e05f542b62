namespace ClosedLoop.Cases.Domain;

/// <summary>One line of a case's timeline: what happened, who did it, when. Append-only.</summary>
internal sealed class CaseEntry
{
    public const int MaxTextLength = 10_000;

    public long Id { get; set; }

    public Guid CaseId { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>created, assigned, acknowledged, statusChanged, note, escalated, slaBreached, resolved, closed, reopened, messageSent, workflowStep, …</summary>
    public required string Kind { get; set; }

    public required string ActorId { get; set; }

    public required string ActorName { get; set; }

    /// <summary>Free text: the note, the reason, the resolution note.</summary>
    public string? Text { get; set; }

    /// <summary>Structured details as JSON (from/to, due time, …).</summary>
    public string? Data { get; set; }
}
