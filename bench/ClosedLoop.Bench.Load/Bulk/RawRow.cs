using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClosedLoop.Bench.Load.Data;

namespace ClosedLoop.Bench.Load.Bulk;

/// <summary>
/// One row of <c>feedback.items</c> as the API would store the CSV row it came from: new ids, the NPS
/// category, the customer's id, attributes as JSON, a SHA-256 content hash. Computed before the clock
/// starts, so the floor measures the database alone.
/// </summary>
internal sealed record RawRow(
    Guid Id,
    string Source,
    string ExternalId,
    string Channel,
    DateTimeOffset SubmittedAt,
    DateTimeOffset ReceivedAt,
    int? Score,
    string Category,
    string? Comment,
    Guid CustomerId,
    string Attributes,
    string ContentHash,
    Guid ImportId)
{
    /// <summary>The columns written, in order; the others (ErasedAt) stay null as they do on ingest.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["Id", "Source", "ExternalId", "Channel", "SubmittedAt", "ReceivedAt", "Score", "Category", "Comment", "CustomerId", "Attributes", "ContentHash", "ImportId"];

    public static List<RawRow> From(IReadOnlyList<FeedbackRecord> records)
    {
        var now = DateTimeOffset.UtcNow;
        var importId = Guid.CreateVersion7(now);
        var customers = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var rows = new List<RawRow>(records.Count);
        foreach (var record in records)
        {
            if (!customers.TryGetValue(record.Customer.ExternalId, out var customerId))
            {
                customers[record.Customer.ExternalId] = customerId = Guid.CreateVersion7(now);
            }

            rows.Add(new RawRow(
                Guid.CreateVersion7(now),
                record.Source,
                record.ExternalId,
                record.Channel,
                record.SubmittedAt,
                now,
                record.Score,
                NpsCategory(record.Score),
                record.Comment,
                customerId,
                JsonSerializer.Serialize(new Dictionary<string, string> { ["product"] = record.Product, ["orderId"] = record.OrderId }),
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CsvFile.Line(record)))),
                importId));
        }

        return rows;
    }

    private static string NpsCategory(int? score) => score switch
    {
        null => "None",
        >= 9 => "Promoter",
        >= 7 => "Passive",
        _ => "Detractor",
    };
}
