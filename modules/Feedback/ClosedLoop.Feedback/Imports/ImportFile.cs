using System.Text.Json;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Imports;

/// <summary>An upload opened at its committed position: the rows from there on, and the progress so far.</summary>
/// <param name="Reader">Reads rows from the committed offset.</param>
/// <param name="ToRow">Turns the row just read into an item (or its errors), given its line.</param>
/// <param name="Progress">Where processing stands, including the CSV header once read.</param>
internal sealed record ImportFile(ImportReader Reader, Func<long, ImportRow> ToRow, ImportProgress Progress)
{
    /// <param name="db">Reads the upload's layout.</param>
    /// <param name="uploadDb">Reads the upload's pieces as rows are read (a context the commits do not use).</param>
    /// <param name="import">The import.</param>
    /// <param name="json">How JSON lines are read.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async Task<ImportFile> OpenAsync(
        FeedbackDbContext db, FeedbackDbContext uploadDb, FeedbackImport import, JsonSerializerOptions json, TimeProvider time, CancellationToken cancellationToken)
    {
        var lengths = await db.ImportChunks.AsNoTracking()
            .Where(c => c.ImportId == import.Id)
            .OrderBy(c => c.Index)
            .Select(c => c.Data.Length)
            .ToListAsync(cancellationToken);
        if (lengths.Count != import.ChunkCount || lengths.Sum(l => (long)l) != import.TotalBytes)
        {
            throw new ImportFileException($"The stored upload is incomplete: {lengths.Count} of {import.ChunkCount} pieces.");
        }

        var window = await ChunkWindow.OpenAsync(lengths, import.Offset, LoadChunk(uploadDb, import.Id), cancellationToken);
        var defaults = new ImportDefaults(import.DefaultSource, import.DefaultChannel);
        var progress = ImportProgress.Of(import);
        if (import.Format == ImportFormat.JsonLines)
        {
            var lines = new JsonLinesScanner();
            var jsonReader = new ImportReader(window, lines, import.LineNumber);
            jsonReader.SkipByteOrderMark();
            var rows = new JsonLinesRows(json, defaults);
            return new ImportFile(jsonReader, line => rows.ToRow(line, lines.Line), progress);
        }

        var csv = new CsvScanner();
        var reader = new ImportReader(window, csv, import.LineNumber);
        reader.SkipByteOrderMark();
        var header = import.Header is { } stored ? JsonSerializer.Deserialize<string[]>(stored)! : await ReadHeaderAsync(reader, csv, cancellationToken);
        var columns = CsvColumns.Create(header, defaults, out var error) ?? throw new ImportFileException(error!);
        return new ImportFile(
            reader,
            line => csv.Error is { } malformed ? ImportRow.Malformed(line, malformed) : columns.ToRow(line, csv.Fields, time.GetUtcNow()),
            // A fresh header is committed with the first chunk of rows, so a resume maps columns the same way.
            progress with { Header = import.Header ?? JsonSerializer.Serialize(header, ImportProcessor.Compact), Offset = reader.Offset, LineNumber = reader.LineNumber });
    }

    private static Func<int, CancellationToken, Task<byte[]>> LoadChunk(FeedbackDbContext db, Guid importId) => (index, cancellationToken) =>
        db.ImportChunks.AsNoTracking()
            .Where(c => c.ImportId == importId && c.Index == index)
            .Select(c => c.Data)
            .SingleAsync(cancellationToken);

    private static async Task<string[]> ReadHeaderAsync(ImportReader reader, CsvScanner csv, CancellationToken cancellationToken)
    {
        if (await reader.ReadAsync(cancellationToken) is not { } record)
        {
            return [];
        }

        if ((record.Broken ?? csv.Error) is { } problem)
        {
            throw new ImportFileException($"The header row (line {record.Line}) cannot be read: {problem}");
        }

        return [.. csv.Fields.Select(f => f.Trim())];
    }
}
