namespace ClosedLoop.Feedback.Imports;

internal enum ScanResult
{
    /// <summary>A row was read.</summary>
    Record,

    /// <summary>An empty line, skipped.</summary>
    Blank,

    /// <summary>The row continues past the loaded bytes.</summary>
    NeedMore,

    /// <summary>No bytes are left.</summary>
    End,

    /// <summary>The file ends inside a quoted field.</summary>
    Unterminated,
}

/// <summary>Finds the next row in a file format's bytes, keeping what the row holds until the next call.</summary>
internal interface IRecordScanner
{
    /// <param name="data">The unread bytes, starting at a row boundary.</param>
    /// <param name="final">Whether <paramref name="data"/> runs to the end of the file.</param>
    /// <param name="consumed">Bytes the row (or blank line) takes, terminator included.</param>
    /// <param name="lines">Line feeds in those bytes.</param>
    ScanResult Scan(ReadOnlySpan<byte> data, bool final, out int consumed, out int lines);
}
