namespace ClosedLoop.Feedback.Imports;

/// <summary>JSON lines: one value per LF-terminated line (a CR before the LF is dropped); blank lines are skipped.</summary>
internal sealed class JsonLinesScanner : IRecordScanner
{
    private byte[] _line = new byte[4096];

    /// <summary>The bytes of the line last scanned.</summary>
    public ReadOnlySpan<byte> Line => _line.AsSpan(0, LineLength);

    private int LineLength { get; set; }

    public ScanResult Scan(ReadOnlySpan<byte> data, bool final, out int consumed, out int lines)
    {
        (consumed, lines) = (0, 0);
        if (data.IsEmpty)
        {
            return final ? ScanResult.End : ScanResult.NeedMore;
        }

        var feed = data.IndexOf((byte)'\n');
        if (feed < 0 && !final)
        {
            return ScanResult.NeedMore;
        }

        var line = feed < 0 ? data : data[..feed];
        (consumed, lines) = feed < 0 ? (data.Length, 0) : (feed + 1, 1);
        if (line.EndsWith("\r"u8))
        {
            line = line[..^1];
        }

        if (line.Trim(" \t"u8).IsEmpty)
        {
            return ScanResult.Blank;
        }

        if (line.Length > _line.Length)
        {
            _line = new byte[Math.Max(line.Length, _line.Length * 2)];
        }

        line.CopyTo(_line);
        LineLength = line.Length;
        return ScanResult.Record;
    }
}
