namespace ClosedLoop.Feedback.Imports;

/// <summary>A row's position, or why its bytes could not be read as a row at all.</summary>
/// <param name="Line">The line the row starts on (the first line of the file is 1).</param>
/// <param name="Broken">Set when the row is malformed beyond field level; reading went on at the next line.</param>
internal readonly record struct RecordRead(long Line, string? Broken);

/// <summary>
/// Reads rows from an upload in file order, tracking the byte offset and line after each one, so a commit
/// can record exactly where the next row starts.
/// </summary>
internal sealed class ImportReader(ChunkWindow window, IRecordScanner scanner, long lineNumber)
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Where the next row starts.</summary>
    public long Offset => window.Position;

    /// <summary>Line feeds before <see cref="Offset"/>: the next row starts on line <c>LineNumber + 1</c>.</summary>
    public long LineNumber { get; private set; } = lineNumber;

    public bool AtEnd => window.Final && window.Data.IsEmpty;

    public void SkipByteOrderMark()
    {
        if (window.Position == 0 && window.Data.StartsWith(Bom))
        {
            window.Advance(Bom.Length);
        }
    }

    /// <summary>The next row (its content is in the scanner), or null at the end of the file.</summary>
    public async Task<RecordRead?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (scanner.Scan(window.Data, window.Final, out var consumed, out var lines))
            {
                case ScanResult.End:
                    return null;
                case ScanResult.Blank:
                    window.Advance(consumed);
                    LineNumber += lines;
                    continue;
                case ScanResult.Record:
                    var line = LineNumber + 1;
                    window.Advance(consumed);
                    LineNumber += lines;
                    return new RecordRead(line, null);
                case ScanResult.Unterminated:
                    return await SkipLineAsync("A quoted field starts in this row and is never closed; the rest of the line was skipped.", cancellationToken);
                case ScanResult.NeedMore when window.Data.Length > ImportOptions.MaxRecordBytes:
                    return await SkipLineAsync($"The row is longer than {ImportOptions.MaxRecordBytes / 1024} KiB (an unclosed quote?); the rest of the line was skipped.", cancellationToken);
                default:
                    await window.FillAsync(cancellationToken);
                    continue;
            }
        }
    }

    /// <summary>Gives up on the row starting here and resumes after the end of its first line.</summary>
    private async Task<RecordRead> SkipLineAsync(string reason, CancellationToken cancellationToken)
    {
        var line = LineNumber + 1;
        while (true)
        {
            var feed = window.Data.IndexOf((byte)'\n');
            if (feed >= 0)
            {
                window.Advance(feed + 1);
                LineNumber++;
                return new RecordRead(line, reason);
            }

            window.Advance(window.Data.Length);
            if (window.Final)
            {
                return new RecordRead(line, reason);
            }

            await window.FillAsync(cancellationToken);
        }
    }
}
