using System.Net.Http.Headers;
using System.Security.Claims;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Feedback.Imports;

/// <summary>An upload stored and queued for processing.</summary>
/// <param name="Id">The import's id.</param>
/// <param name="Status">queued.</param>
/// <param name="Format">csv or jsonLines.</param>
/// <param name="TotalBytes">Bytes received.</param>
/// <param name="StatusUrl">Where to poll for progress (also in the Location header).</param>
internal sealed record ImportAccepted(Guid Id, ImportStatus Status, ImportFormat Format, long TotalBytes, string StatusUrl);

internal static class StartImport
{
    public const string DefaultSource = "import";
    public const string DefaultChannel = "other";

    private static readonly string[] CsvTypes = ["text/csv", "application/csv"];
    private static readonly string[] JsonLinesTypes = ["application/x-ndjson", "application/jsonl", "application/json-lines"];

    /// <summary>Uploads a CSV or JSON-lines file of feedback, of any size, for processing in the background.</summary>
    /// <remarks>
    /// Send the file itself as the body, UTF-8, with `Content-Type: text/csv` or `application/x-ndjson`
    /// (also `application/jsonl`, `application/json-lines`). The body is streamed into storage in 1 MiB
    /// pieces, so there is no size limit; the answer is **202 Accepted** with the import's id once the whole
    /// file is stored. Rows are then processed in order, in transactions of 1,000, exactly as
    /// `POST /api/v1/feedback` would take them: duplicates (same source, externalId and content) and
    /// conflicts (same key, other content) write nothing, invalid rows are rejected with their line number
    /// and reasons, and a restart resumes after the last committed row without storing any row twice.
    ///
    /// **Polling:** `GET` the `Location` header (also `statusUrl` in the body) every 2–5 seconds (the
    /// response carries `Retry-After` while work remains) until `status` is `completed` or `failed`.
    /// `percent`, `rowsRead` and the counts show progress; `errors` lists rejected and conflicting rows.
    ///
    /// **CSV:** RFC 4180 (quoted fields, `""` inside quotes, line breaks inside quotes, CRLF or LF, optional
    /// BOM), a header row first. Columns match case-insensitively, ignoring spaces, `_` and `-`: `source`,
    /// `externalId`, `channel`, `submittedAt` (ISO-8601), `score` (0–10), `comment`, and the customer's
    /// `customerExternalId` (or `customer.externalId`, `customerId`), `email`, `name`, `region`, `segment`,
    /// `language`, `accountValue` (each also as `customer.X` or `customerX`). `attributes.X` and any other
    /// column become attribute X (a string; empty cells are left out). A row's line number is the line it
    /// starts on; the header is line 1.
    ///
    /// **JSON lines:** one feedback item per line, shaped as for `POST /api/v1/feedback`; blank lines are skipped.
    ///
    /// Rows without a source take the `source` parameter, rows without a channel the `channel` parameter.
    ///
    /// ```
    /// curl -X POST 'http://localhost:5080/api/v1/imports?source=survey-export-2026-11' \
    ///   -H "X-Api-Key: $INGEST_KEY" -H 'Content-Type: text/csv' --data-binary @responses.csv
    /// curl -H "X-Api-Key: $INGEST_KEY" http://localhost:5080/api/v1/imports/{id}
    /// ```
    /// A CSV file:
    /// ```
    /// externalId,submittedAt,score,comment,customerExternalId,email,plan
    /// resp-1001,2026-11-20T10:00:00Z,3,"Late, and the box was ""damaged"".",c-42,ada@example.com,pro
    /// ```
    /// A JSON-lines file:
    /// ```
    /// {"externalId":"resp-1001","score":3,"comment":"Delivery was late.","customer":{"externalId":"c-42"}}
    /// {"externalId":"resp-1002","score":10,"customer":{"externalId":"c-43"},"attributes":{"plan":"pro"}}
    /// ```
    /// </remarks>
    /// <param name="request">The upload.</param>
    /// <param name="source">Source for rows that name none (≤ 100 characters; default "import").</param>
    /// <param name="channel">Channel for rows that name none (default "other").</param>
    /// <param name="db">The Feedback database.</param>
    /// <param name="signal">Wakes the import worker.</param>
    /// <param name="time">The clock.</param>
    /// <param name="user">The caller.</param>
    /// <param name="options">Import settings.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Accepted<ImportAccepted>, ProblemHttpResult>> Handle(
        HttpRequest request,
        string? source,
        string? channel,
        FeedbackDbContext db,
        ImportSignal signal,
        TimeProvider time,
        ClaimsPrincipal user,
        IOptions<ImportOptions> options,
        CancellationToken cancellationToken)
    {
        if (FormatOf(request.ContentType) is not { } format)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: $"Send the file as text/csv or application/x-ndjson (JSON lines), UTF-8; got '{request.ContentType}'.");
        }

        var errors = new FieldErrors();
        var defaultSource = string.IsNullOrWhiteSpace(source) ? DefaultSource : source.Trim();
        var defaultChannel = string.IsNullOrWhiteSpace(channel) ? DefaultChannel : Channels.Normalize(channel);
        errors.When(defaultSource.Length > 100, "source", "source must be at most 100 characters.")
            .When(defaultChannel is null, "channel", $"channel must be one of: {string.Join(", ", Channels.Known)}.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var buffer = new byte[ImportOptions.UploadChunkBytes];
        var read = await request.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = ["The file is empty; send its content as the request body."] });
        }

        var upload = new ImportUpload(db, time, options.Value);
        var import = await upload.CreateAsync(format, defaultSource, defaultChannel!, CallerOf(user), cancellationToken);
        var queued = false;
        try
        {
            while (true)
            {
                if (!await upload.StoreAsync(import, read == buffer.Length ? buffer : buffer[..read], cancellationToken))
                {
                    return Abandoned(options.Value);
                }

                read = read < buffer.Length ? 0 : await request.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                {
                    break;
                }
            }

            queued = await upload.QueueAsync(import, cancellationToken);
            if (!queued)
            {
                return Abandoned(options.Value);
            }
        }
        finally
        {
            if (!queued)
            {
                await upload.AbandonAsync(import.Id, "The upload stopped before the whole file arrived.");
            }
        }

        signal.Notify();
        var location = $"/api/v1/imports/{import.Id}";
        return TypedResults.Accepted(location, new ImportAccepted(import.Id, ImportStatus.Queued, format, import.TotalBytes, location));
    }

    private static ImportFormat? FormatOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is not { } type)
        {
            return null;
        }

        if (media.CharSet is { } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Trim('"').Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return CsvTypes.Contains(type, StringComparer.OrdinalIgnoreCase) ? ImportFormat.Csv
            : JsonLinesTypes.Contains(type, StringComparer.OrdinalIgnoreCase) ? ImportFormat.JsonLines
            : null;
    }

    /// <summary>Who started an import, as stored in <c>CreatedBy</c>; only they (and admins) may read it back.</summary>
    internal static string CallerOf(ClaimsPrincipal user)
    {
        var caller = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? user.Identity?.Name ?? "unknown";
        return caller.Length > 200 ? caller[..200] : caller;
    }

    private static ProblemHttpResult Abandoned(ImportOptions options) => TypedResults.Problem(
        statusCode: StatusCodes.Status408RequestTimeout,
        title: "Upload abandoned",
        detail: $"Nothing arrived for longer than {options.UploadIdleTimeout}; the partial upload was discarded. Send the file again.");
}
