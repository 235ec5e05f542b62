using System.Globalization;
using System.Security.Claims;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Feedback.Imports;

/// <summary>A row the import rejected or found in conflict.</summary>
/// <param name="Line">The line the row starts on (the CSV header is line 1).</param>
/// <param name="Outcome">rejected or conflict.</param>
/// <param name="Reason">Field errors as JSON (<c>{"score":["…"]}</c>), or a message.</param>
internal sealed record ImportRowError(long Line, string Outcome, string Reason);

/// <summary>An import's progress and outcome.</summary>
/// <param name="Id">The import's id.</param>
/// <param name="Status">uploading, queued, running, completed or failed.</param>
/// <param name="Format">csv or jsonLines.</param>
/// <param name="DefaultSource">Source given to rows without one.</param>
/// <param name="DefaultChannel">Channel given to rows without one.</param>
/// <param name="CreatedAt">When the upload started.</param>
/// <param name="StartedAt">When processing started.</param>
/// <param name="CompletedAt">When it completed or failed.</param>
/// <param name="TotalBytes">Size of the file.</param>
/// <param name="BytesProcessed">Bytes of the file behind the last committed row.</param>
/// <param name="Percent">bytesProcessed as a percentage of totalBytes (one decimal).</param>
/// <param name="RowsRead">Rows processed (header and blank lines not counted) = accepted + duplicates + conflicts + rejected.</param>
/// <param name="Accepted">Rows stored as new feedback.</param>
/// <param name="Duplicates">Rows already stored with the same source, externalId and content: nothing written.</param>
/// <param name="Conflicts">Rows whose source and externalId were stored with other content: nothing written.</param>
/// <param name="Rejected">Rows that could not be read or failed validation.</param>
/// <param name="LastError">Why the import failed (or why the last attempt did, while it is retried).</param>
/// <param name="Errors">A page of the rejected and conflicting rows, in file order.</param>
/// <param name="ErrorsTruncated">More rows were rejected or in conflict than are kept (the first 1,000 are).</param>
internal sealed record ImportView(
    Guid Id,
    ImportStatus Status,
    ImportFormat Format,
    string DefaultSource,
    string DefaultChannel,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    long TotalBytes,
    long BytesProcessed,
    double Percent,
    long RowsRead,
    long Accepted,
    long Duplicates,
    long Conflicts,
    long Rejected,
    string? LastError,
    PagedList<ImportRowError> Errors,
    bool ErrorsTruncated);

internal static class GetImport
{
    public const int DefaultErrorsPageSize = 100;

    /// <summary>An import's progress: status, counts, and the rows it rejected with line numbers and reasons.</summary>
    /// <remarks>
    /// Poll every 2–5 seconds until `status` is `completed` or `failed`; while it is `uploading`, `queued`
    /// or `running` the response carries a `Retry-After` header. Counts only ever grow and always add up:
    /// rowsRead = accepted + duplicates + conflicts + rejected. Rejected and conflicting rows are listed in
    /// file order under `errors`, a page at a time (`errorsPage`, `errorsPageSize`); the first 1,000 are kept.
    /// An ingest key reads only the imports it started itself; another caller's import answers 404, as one that does
    /// not exist. Admins read every import.
    /// </remarks>
    /// <param name="id">The import's id, from the Location header of POST /api/v1/imports.</param>
    /// <param name="errorsPage">Page of errors (from 1, default 1).</param>
    /// <param name="errorsPageSize">Errors per page (1–500, default 100).</param>
    /// <param name="user">The caller.</param>
    /// <param name="db">The Feedback database.</param>
    /// <param name="response">For Retry-After.</param>
    /// <param name="options">Import settings.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<ImportView>, ProblemHttpResult>> Handle(
        Guid id,
        int? errorsPage,
        int? errorsPageSize,
        ClaimsPrincipal user,
        FeedbackDbContext db,
        HttpResponse response,
        IOptions<ImportOptions> options,
        CancellationToken cancellationToken)
    {
        var (page, size) = (errorsPage ?? 1, errorsPageSize ?? DefaultErrorsPageSize);
        var invalid = new FieldErrors()
            .When(page < 1, "errorsPage", "errorsPage must be 1 or more.")
            .When(size is < 1 or > PageRequest.MaxPageSize, "errorsPageSize", $"errorsPageSize must be between 1 and {PageRequest.MaxPageSize}.");
        if (!invalid.IsEmpty)
        {
            return Problems.Validation(invalid.ToDictionary());
        }

        var imports = db.Imports.AsNoTracking().Where(i => i.Id == id);
        if (!user.IsInRole(Roles.Admin))
        {
            var caller = StartImport.CallerOf(user);
            imports = imports.Where(i => i.CreatedBy == caller);
        }

        var import = await imports.FirstOrDefaultAsync(cancellationToken);
        if (import is null)
        {
            return Problems.NotFound("import", id);
        }

        var stored = db.ImportErrors.AsNoTracking().Where(e => e.ImportId == id);
        var total = await stored.LongCountAsync(cancellationToken);
        var errors = await stored.OrderBy(e => e.Line).Skip(new PageRequest(page, size).Skip).Take(size)
            .Select(e => new ImportRowError(e.Line, e.Outcome, e.Reason))
            .ToListAsync(cancellationToken);
        var done = import.Status is ImportStatus.Completed or ImportStatus.Failed;
        if (!done)
        {
            response.Headers.RetryAfter = ((int)Math.Ceiling(options.Value.PollInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var percent = import.Status == ImportStatus.Completed ? 100
            : import.TotalBytes == 0 || import.Status == ImportStatus.Uploading ? 0
            : Math.Round(100.0 * import.Offset / import.TotalBytes, 1);
        return TypedResults.Ok(new ImportView(
            import.Id,
            import.Status,
            import.Format,
            import.DefaultSource,
            import.DefaultChannel,
            import.CreatedAt,
            import.StartedAt,
            import.CompletedAt,
            import.TotalBytes,
            import.Status == ImportStatus.Completed ? import.TotalBytes : import.Offset,
            percent,
            import.RowsRead,
            import.Accepted,
            import.Duplicates,
            import.Conflicts,
            import.Rejected,
            import.LastError,
            new PagedList<ImportRowError>(errors, page, size, total),
            import.Rejected + import.Conflicts > total));
    }
}
