namespace ClosedLoop.Feedback.Domain;

/// <summary>
/// A customer as the latest feedback describes them (by submission time), with running aggregates the
/// rules read. Every change of attributes is kept in <see cref="CustomerVersion"/>.
/// </summary>
internal sealed class Customer
{
    public Guid Id { get; set; }

    public required string ExternalId { get; set; }

    public string? Email { get; set; }

    public string? Name { get; set; }

    public string? Region { get; set; }

    public string? Segment { get; set; }

    public string? Language { get; set; }

    public decimal? AccountValue { get; set; }

    public DateTimeOffset FirstSeenAt { get; set; }

    /// <summary>The submission time of the feedback the current attributes came from.</summary>
    public DateTimeOffset AttributesAsOf { get; set; }

    public int FeedbackCount { get; set; }

    public int? LastScore { get; set; }

    public DateTimeOffset? LastFeedbackAt { get; set; }

    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>Optimistic concurrency: two ingests updating one customer never lose an increment.</summary>
    public int Version { get; set; }

    /// <summary>A detached copy (all fields are values), for a chunk staged on top of one that still writes this one.</summary>
    public Customer Copy() => (Customer)MemberwiseClone();
}

/// <summary>The attributes a customer had from <see cref="ValidFrom"/> on, as one feedback item described them.</summary>
internal sealed class CustomerVersion
{
    public Guid Id { get; set; }

    public Guid CustomerId { get; set; }

    public DateTimeOffset ValidFrom { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public Guid? FeedbackId { get; set; }

    public string? Email { get; set; }

    public string? Name { get; set; }

    public string? Region { get; set; }

    public string? Segment { get; set; }

    public string? Language { get; set; }

    public decimal? AccountValue { get; set; }
}

/// <summary>An <c>Idempotency-Key</c> a caller sent with a single feedback item.</summary>
internal sealed class IdempotencyKey
{
    public required string Key { get; set; }

    public required string RequestHash { get; set; }

    public Guid FeedbackId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
