using System.Globalization;
using System.Text;

namespace ClosedLoop.Bench.Load.Data;

/// <summary>
/// The import's CSV (RFC 4180: fields with commas, quotes or line breaks are quoted): a header row with
/// the item's columns, and <c>product</c>/<c>orderId</c>, which the import keeps as attributes.
/// </summary>
internal static class CsvFile
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "source", "externalId", "channel", "submittedAt", "score", "comment",
        "customerExternalId", "email", "name", "region", "segment", "language", "accountValue",
        "product", "orderId",
    ];

    /// <summary>Writes a header and <paramref name="rows"/> to <paramref name="path"/>; returns the file's size in bytes.</summary>
    public static async Task<long> WriteAsync(string path, IEnumerable<FeedbackRecord> rows, CancellationToken cancellationToken)
    {
        await using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16))
        {
            await writer.WriteAsync(string.Join(',', Columns) + "\n");
            var line = new StringBuilder(512);
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                line.Clear();
                Append(line, row);
                await writer.WriteAsync(line, cancellationToken);
            }
        }

        return new FileInfo(path).Length;
    }

    /// <summary>The CSV line of one row, with its line break.</summary>
    public static string Line(FeedbackRecord row)
    {
        var line = new StringBuilder(512);
        Append(line, row);
        return line.ToString();
    }

    private static void Append(StringBuilder line, FeedbackRecord row)
    {
        var c = row.Customer;
        string?[] fields =
        [
            row.Source, row.ExternalId, row.Channel, row.SubmittedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            row.Score?.ToString(CultureInfo.InvariantCulture), row.Comment,
            c.ExternalId, c.Email, c.Name, c.Region, c.Segment, c.Language, c.AccountValue.ToString(CultureInfo.InvariantCulture),
            row.Product, row.OrderId,
        ];
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            Field(line, fields[i]);
        }

        line.Append('\n');
    }

    private static void Field(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
