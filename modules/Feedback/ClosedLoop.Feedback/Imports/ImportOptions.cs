namespace ClosedLoop.Feedback.Imports;

/// <summary>Section <c>Imports</c>: how bulk uploads are stored and processed.</summary>
internal sealed class ImportOptions
{
    public const string Section = "Imports";

    /// <summary>Bytes per stored piece of an upload: the most of it held in memory at once.</summary>
    public const int UploadChunkBytes = 1024 * 1024;

    /// <summary>
    /// A row (CSV record or JSON line) longer than this is rejected and reading resumes at the next line;
    /// it also bounds what an unterminated quote can swallow.
    /// </summary>
    public const int MaxRecordBytes = 1024 * 1024;

    /// <summary>Process queued imports in this process (every replica may; leases keep them apart).</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>Rows stored per transaction; progress moves in these steps.</summary>
    public int ChunkSize { get; set; } = 1000;

    /// <summary>
    /// Pause after each chunk's commit, to leave a busy database more room for interactive requests.
    /// None by default: on SQLite, writers of the process queue for the one write lock in arrival order
    /// (see SqliteWriteGate), so a single submission waits for at most the chunk in progress.
    /// </summary>
    public TimeSpan? PauseBetweenChunks { get; set; }

    /// <summary>How often the worker looks for imports no upload signalled (another replica's, or a crashed process's).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a worker owns an import without committing progress before another may take it over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An upload that sends nothing for this long is abandoned (marked failed, its pieces deleted).</summary>
    public TimeSpan UploadIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rejected and conflicting rows kept with their reasons per import; the counts stay exact beyond it.</summary>
    public int MaxStoredErrors { get; set; } = 1000;

    /// <summary>After this many failed attempts (database errors, crashes in the worker) an import is marked failed.</summary>
    public int MaxAttempts { get; set; } = 5;
}
