namespace ClosedLoop.SharedKernel;

/// <summary>
/// A fact one module tells the others. Travels through the producer's outbox; its shape never changes
/// once published (add a new event instead). Named <c>&lt;Subject&gt;&lt;PastTense&gt;IntegrationEvent</c>.
/// </summary>
public abstract record IntegrationEvent
{
    /// <summary>Unique per event; handlers use it as their inbox key.</summary>
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>When the fact happened (UTC).</summary>
    public DateTimeOffset OccurredAt { get; init; } = DateTimeOffset.UtcNow;
}
