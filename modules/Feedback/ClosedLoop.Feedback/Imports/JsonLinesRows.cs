using System.Text.Json;
using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Web;

namespace ClosedLoop.Feedback.Imports;

/// <summary>Turns a JSON line into an item with the same serializer settings as the HTTP endpoints.</summary>
internal sealed class JsonLinesRows(JsonSerializerOptions options, ImportDefaults defaults)
{
    public ImportRow ToRow(long line, ReadOnlySpan<byte> json)
    {
        if (JsonTextScreen.Find(json) is { } flaw)
        {
            // The same screen as every JSON request: a row that cannot be stored is rejected here, with its line.
            return ImportRow.Malformed(line, $"Not a valid feedback item: {flaw.Message}");
        }

        FeedbackInput? input;
        try
        {
            input = JsonSerializer.Deserialize<FeedbackInput>(json, options);
        }
        catch (JsonException ex)
        {
            // The reader's line and byte position are within this one line; the row's line number says where it is.
            var detail = ex.Path is { Length: > 2 } path && ex.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                ? $"{path[2..]} has a value of the wrong type."
                : ex.Message.Split(" LineNumber:", 2)[0].Trim().TrimEnd('|').Trim();
            return ImportRow.Malformed(line, $"Not a valid feedback item: {detail}");
        }

        return input is null
            ? ImportRow.Malformed(line, "Expected a JSON object, found null.")
            : ImportRow.Valid(line, defaults.Apply(input));
    }
}
