using System.Text;

namespace ClosedLoop.Api.Tests.Imports;

/// <summary>Writes a CSV file with CRLF line ends and keeps track of the line each row starts on (header = line 1).</summary>
internal sealed class CsvBuilder
{
    private readonly StringBuilder _text = new();
    private long _nextLine = 1;

    public CsvBuilder(string header) => Row(header);

    /// <summary>Appends a row as written (already CSV) and returns the line it starts on.</summary>
    public long Row(string row)
    {
        var line = _nextLine;
        _text.Append(row).Append("\r\n");
        _nextLine += 1 + row.Count(c => c == '\n');
        return line;
    }

    public void BlankLine()
    {
        _text.Append("\r\n");
        _nextLine++;
    }

    public static string Quote(string field) => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The file; without the last line end when <paramref name="finalNewline"/> is false (it is optional).</summary>
    public string ToString(bool finalNewline) => finalNewline ? _text.ToString() : _text.ToString(0, _text.Length - 2);
}
