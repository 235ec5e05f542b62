using ClosedLoop.Feedback.Domain;

namespace ClosedLoop.Feedback.Imports;

/// <summary>An import's committed position and counts, as the worker carries them from one transaction to the next.</summary>
internal sealed record ImportProgress(
    long Offset, long LineNumber, string? Header, long RowsRead, long Accepted, long Duplicates, long Conflicts, long Rejected)
{
    /// <summary>Rows that leave an error entry (whether or not it is kept).</summary>
    public long Errors => Conflicts + Rejected;

    public static ImportProgress Of(FeedbackImport import) => new(
        import.Offset, import.LineNumber, import.Header, import.RowsRead, import.Accepted, import.Duplicates, import.Conflicts, import.Rejected);
}

/// <summary>Which import a worker holds, under which lease token.</summary>
internal sealed record ImportClaim(Guid Id, Guid Token, int Failures);

/// <summary>Another worker took the import over (this one's lease ran out); this one stops without writing.</summary>
internal sealed class ImportLeaseLostException(Guid importId)
    : Exception($"The lease on import {importId} was lost to another worker.");

/// <summary>The file cannot be processed at all (e.g. its header is unreadable); retrying will not help.</summary>
internal sealed class ImportFileException(string message) : Exception(message);
