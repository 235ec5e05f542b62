namespace ClosedLoop.Feedback.Domain;

internal enum ImportStatus
{
    Uploading,
    Queued,
    Running,
    Completed,
    Failed,
}

internal enum ImportFormat
{
    Csv,
    JsonLines,
}

/// <summary>
/// A bulk upload, stored in the database in chunks so any replica can process it, and processed in
/// transactions that move <see cref="Offset"/> together with the rows they store: a restart resumes at
/// the last committed row and never stores one twice.
/// </summary>
internal sealed class FeedbackImport
{
    public Guid Id { get; set; }

    public ImportFormat Format { get; set; }

    public ImportStatus Status { get; set; }

    /// <summary>Used for rows that name no source.</summary>
    public required string DefaultSource { get; set; }

    /// <summary>Used for rows that name no channel.</summary>
    public required string DefaultChannel { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public long TotalBytes { get; set; }

    public int ChunkCount { get; set; }

    /// <summary>Bytes of the upload consumed by committed rows: where processing resumes.</summary>
    public long Offset { get; set; }

    /// <summary>Lines of the file consumed by committed rows (CSV records may span lines).</summary>
    public long LineNumber { get; set; }

    /// <summary>CSV column names, as a JSON array, once the header has been read.</summary>
    public string? Header { get; set; }

    public long RowsRead { get; set; }

    public long Accepted { get; set; }

    public long Duplicates { get; set; }

    public long Conflicts { get; set; }

    public long Rejected { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public Guid? LockToken { get; set; }

    public int Failures { get; set; }

    public string? LastError { get; set; }
}

/// <summary>One piece of an uploaded file, in order.</summary>
internal sealed class ImportChunk
{
    public Guid ImportId { get; set; }

    public int Index { get; set; }

    public required byte[] Data { get; set; }
}

/// <summary>A row the import rejected (or found in conflict), with its line number and why.</summary>
internal sealed class ImportError
{
    public Guid Id { get; set; }

    public Guid ImportId { get; set; }

    public long Line { get; set; }

    public required string Outcome { get; set; }

    public required string Reason { get; set; }
}
