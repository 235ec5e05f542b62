namespace ClosedLoop.Cases.Data;

/// <summary>
/// A one-time pass over existing rows that a release needs (e.g. publishing a new event for cases opened before it
/// existed). A migration inserts the row; the pass moves <see cref="After"/> batch by batch and sets
/// <see cref="CompletedAt"/> at the end, so a restart resumes where it stopped and a finished pass never runs again.
/// </summary>
internal sealed class Backfill
{
    public required string Name { get; set; }

    /// <summary>The last case id done (ids in ascending order); null before the first batch.</summary>
    public Guid? After { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Guards each batch: of two replicas running the pass, one commits a batch and the other reads again.</summary>
    public int Version { get; set; }
}
