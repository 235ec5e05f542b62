using System.Text;

namespace ClosedLoop.Feedback.Imports;

/// <summary>
/// RFC 4180 over UTF-8 bytes: comma-separated, fields optionally quoted, <c>""</c> for a quote inside
/// quotes, line breaks inside quotes, rows ending in CRLF or LF. Working on bytes (every special
/// character is ASCII) keeps offsets exact. A stray quote inside an unquoted field is kept as text.
/// </summary>
internal sealed class CsvScanner : IRecordScanner
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _quoted = new byte[1024];
    private int _quotedLength;

    /// <summary>The fields of the row last scanned.</summary>
    public List<string> Fields { get; } = [];

    /// <summary>What is wrong with the row last scanned, when it was read but cannot be trusted.</summary>
    public string? Error { get; private set; }

    public ScanResult Scan(ReadOnlySpan<byte> data, bool final, out int consumed, out int lines)
    {
        Fields.Clear();
        Error = null;
        (consumed, lines) = (0, 0);
        if (data.IsEmpty)
        {
            return final ? ScanResult.End : ScanResult.NeedMore;
        }

        if (data[0] == '\n' || (data[0] == '\r' && (data.Length > 1 ? data[1] == '\n' : final)))
        {
            consumed = data[0] == '\n' ? 1 : Math.Min(2, data.Length);
            lines = data[consumed - 1] == '\n' ? 1 : 0;
            return ScanResult.Blank;
        }

        var pos = 0;
        while (true)
        {
            if (pos < data.Length && data[pos] == '"')
            {
                var closed = ReadQuoted(data, final, ref pos, ref lines);
                if (closed is null)
                {
                    return ScanResult.NeedMore;
                }

                if (closed == false)
                {
                    return final ? ScanResult.Unterminated : ScanResult.NeedMore;
                }

                AddField(_quoted.AsSpan(0, _quotedLength));
                if (pos < data.Length && !IsTerminator(data, pos))
                {
                    Error ??= $"Column {Fields.Count}: text follows a closing quote (a quote inside a quoted field must be doubled).";
                    var rest = data[pos..].IndexOfAny((byte)',', (byte)'\n');
                    pos = rest < 0 ? data.Length : pos + rest;
                }
            }
            else
            {
                var rest = data[pos..];
                var stop = rest.IndexOfAny((byte)',', (byte)'\n');
                var field = stop < 0 ? rest : rest[..stop];
                if (field.EndsWith("\r"u8) && (stop < 0 || rest[stop] == '\n'))
                {
                    field = field[..^1];
                }

                AddField(field);
                pos = stop < 0 ? data.Length : pos + stop;
            }

            if (pos >= data.Length || (data[pos] == '\r' && pos + 1 == data.Length))
            {
                if (!final)
                {
                    return ScanResult.NeedMore;
                }

                consumed = data.Length;
                return ScanResult.Record;
            }

            if (data[pos] == ',')
            {
                pos++;
                if (pos == data.Length)
                {
                    if (!final)
                    {
                        return ScanResult.NeedMore;
                    }

                    AddField([]);
                    consumed = pos;
                    return ScanResult.Record;
                }

                continue;
            }

            consumed = pos + (data[pos] == '\r' ? 2 : 1);
            lines++;
            return ScanResult.Record;
        }
    }

    /// <summary>A comma, LF or CRLF at <paramref name="pos"/> (or a CR that may start a CRLF).</summary>
    private static bool IsTerminator(ReadOnlySpan<byte> data, int pos) =>
        data[pos] is (byte)',' or (byte)'\n' || (data[pos] == '\r' && (pos + 1 == data.Length || data[pos + 1] == '\n'));

    /// <summary>
    /// Reads a quoted field into the buffer; <paramref name="pos"/> ends after the closing quote. False when
    /// no closing quote is in <paramref name="data"/>; null when a quote ends data that is not final (it may be doubled).
    /// </summary>
    private bool? ReadQuoted(ReadOnlySpan<byte> data, bool final, ref int pos, ref int lines)
    {
        _quotedLength = 0;
        pos++;
        while (true)
        {
            var rest = data[pos..];
            var quote = rest.IndexOf((byte)'"');
            if (quote < 0)
            {
                return false;
            }

            Append(rest[..quote]);
            lines += rest[..quote].Count((byte)'\n');
            pos += quote + 1;
            if (pos == data.Length)
            {
                return final ? true : null;
            }

            if (data[pos] != '"')
            {
                return true;
            }

            Append("\""u8);
            pos++;
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_quotedLength + bytes.Length > _quoted.Length)
        {
            Array.Resize(ref _quoted, Math.Max(_quoted.Length * 2, _quotedLength + bytes.Length));
        }

        bytes.CopyTo(_quoted.AsSpan(_quotedLength));
        _quotedLength += bytes.Length;
    }

    private void AddField(ReadOnlySpan<byte> bytes)
    {
        try
        {
            Fields.Add(Strict.GetString(bytes));
        }
        catch (DecoderFallbackException)
        {
            Error ??= $"Column {Fields.Count + 1}: not valid UTF-8.";
            Fields.Add(Encoding.UTF8.GetString(bytes));
        }
    }
}
