using System.Security.Claims;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Messages;

/// <summary>A templated reply to a case's customer.</summary>
/// <param name="Template">A customer template's key, e.g. <c>resolution</c> ("here's what we changed").</param>
/// <param name="Variables">Extra values the template reads as <c>extra.name</c> (at most 20 strings).</param>
internal sealed record SendCaseMessageRequest(string? Template, Dictionary<string, string>? Variables);

/// <summary>A message as the API shows it; bodies only on the single read.</summary>
internal sealed record MessageResponse(
    Guid Id,
    string Channel,
    string Purpose,
    string Template,
    int TemplateVersion,
    string Language,
    Guid? CaseId,
    Guid? CustomerId,
    Guid? ImprovementId,
    string? Recipient,
    string? RecipientName,
    string? Subject,
    string Status,
    string? SuppressionReason,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? SentAt,
    string ExternalId,
    string? HtmlBody = null,
    string? TextBody = null,
    IReadOnlyList<MessageAttempt>? AttemptLog = null);

/// <summary>One delivery attempt.</summary>
internal sealed record MessageAttempt(int Number, DateTimeOffset StartedAt, double DurationMs, bool Succeeded, string? Error);

/// <summary>A page of messages, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next (null at the end).</summary>
internal sealed record MessagePage(IReadOnlyList<MessageResponse> Items, int PageSize, string? NextCursor);

internal static class MessageEndpoints
{
    /// <summary>The status names the API shows (<see cref="MessageComposer.StatusName"/>), for the <c>status</c> filter.</summary>
    private static readonly Dictionary<string, MessageStatus> Statuses =
        Enum.GetValues<MessageStatus>().ToDictionary(MessageComposer.StatusName, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Sends a templated message to the case's customer: rendered now in their language, written to the outbox and
    /// delivered by the dispatcher (follow it at <c>GET /api/v1/messages/{id}</c>); the case's timeline records it.
    /// A customer who must not be written to (consent, erasure, frequency cap, no address) gets nothing and the
    /// message is recorded as suppressed with the reason. Send the same <c>Idempotency-Key</c> again and the first
    /// message is answered, nothing new is written.
    /// </summary>
    internal static async Task<Results<Accepted<QueuedMessage>, Ok<QueuedMessage>, ProblemHttpResult>> Send(
        Guid id,
        SendCaseMessageRequest body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal user,
        ICasesApi cases,
        ICaseAccess access,
        CommunicationApi api,
        CancellationToken cancellationToken)
    {
        var supportCase = await cases.FindAsync(id, cancellationToken);
        if (supportCase is null || !(await access.ScopeOfAsync(user, cancellationToken)).Sees(supportCase.Team, supportCase.Level))
        {
            return Problems.NotFound("case", id);
        }

        if (idempotencyKey is { Length: > 100 })
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["Idempotency-Key"] = ["An Idempotency-Key is at most 100 characters."] });
        }

        var by = Callers.IdOf(user);
        var result = await api.SendAsync(
            supportCase,
            new CaseMessageRequest(id, body?.Template?.Trim() ?? "", idempotencyKey is null ? null : "api:" + idempotencyKey, by, body?.Variables),
            cancellationToken);
        if (!result.IsSuccess)
        {
            return Problems.From(result.Error!);
        }

        var queued = result.Value!;
        return queued.Duplicate
            ? TypedResults.Ok(queued)
            : TypedResults.Accepted($"/api/v1/messages/{queued.MessageId}", queued);
    }

    /// <summary>
    /// Messages, newest first. Admins list every message; an agent lists the messages of one case it may see
    /// (<c>caseId</c> is then required).
    /// </summary>
    /// <param name="caseId">Only this case's messages.</param>
    /// <param name="customerId">Only this customer's messages (admins).</param>
    /// <param name="improvementId">Only the messages announcing this improvement (admins).</param>
    /// <param name="status"><c>pending</c>, <c>retrying</c>, <c>sent</c>, <c>deadLettered</c> or <c>suppressed</c>.</param>
    /// <param name="cursor">From the previous page's nextCursor.</param>
    /// <param name="pageSize">1–500, default 50.</param>
    /// <param name="user">The caller.</param>
    /// <param name="db">The module's store.</param>
    /// <param name="cases">Reads the case, to check an agent's access.</param>
    /// <param name="access">The caller's reach.</param>
    /// <param name="cancellationToken">The request's.</param>
    internal static async Task<Results<Ok<MessagePage>, ProblemHttpResult>> List(
        Guid? caseId,
        Guid? customerId,
        Guid? improvementId,
        string? status,
        string? cursor,
        int? pageSize,
        ClaimsPrincipal user,
        CommunicationDbContext db,
        ICasesApi cases,
        ICaseAccess access,
        CancellationToken cancellationToken)
    {
        var size = pageSize ?? 50;
        var after = cursor is null ? null : KeysetCursor.Decode(cursor);
        MessageStatus? wanted = null;
        var errors = new FieldErrors()
            .When(size is < 1 or > 500, "pageSize", "pageSize must be between 1 and 500.")
            .When(cursor is not null && after is null, "cursor", "cursor is not one this API gave out.")
            .When(status is not null && !Statuses.ContainsKey(status), "status", $"status is one of {string.Join(", ", Statuses.Keys)}.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        if (status is not null)
        {
            wanted = Statuses[status];
        }

        var scope = await access.ScopeOfAsync(user, cancellationToken);
        if (!scope.AllTeams)
        {
            if (caseId is null)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["caseId"] = ["An agent lists the messages of one case: give caseId."] });
            }

            var supportCase = await cases.FindAsync(caseId.Value, cancellationToken);
            if (supportCase is null || !scope.Sees(supportCase.Team, supportCase.Level))
            {
                return Problems.NotFound("case", caseId.Value);
            }
        }

        var query = db.Messages.AsNoTracking();
        if (caseId is { } c)
        {
            query = query.Where(m => m.CaseId == c);
        }

        if (customerId is { } u)
        {
            query = query.Where(m => m.CustomerId == u);
        }

        if (improvementId is { } i)
        {
            query = query.Where(m => m.ImprovementId == i);
        }

        if (wanted is { } s)
        {
            query = query.Where(m => m.Status == s);
        }

        if (after is { } a)
        {
            query = query.Where(m => m.CreatedAt < a.At || (m.CreatedAt == a.At && m.Id.CompareTo(a.Id) < 0));
        }

        var page = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(size + 1).ToListAsync(cancellationToken);
        var next = page.Count > size ? KeysetCursor.Encode(page[size - 1].CreatedAt, page[size - 1].Id) : null;
        return TypedResults.Ok(new MessagePage([.. page.Take(size).Select(m => Summary(m))], size, next));
    }

    /// <summary>One message: its content as rendered, its status and every delivery attempt with its error.</summary>
    internal static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> Get(
        Guid id,
        ClaimsPrincipal user,
        CommunicationDbContext db,
        ICasesApi cases,
        ICaseAccess access,
        CancellationToken cancellationToken)
    {
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null || !await MaySeeAsync(message, user, cases, access, cancellationToken))
        {
            return Problems.NotFound("message", id);
        }

        var attempts = await db.MessageAttempts.AsNoTracking().Where(a => a.MessageId == id).OrderBy(a => a.Number)
            .Select(a => new MessageAttempt(a.Number, a.StartedAt, a.DurationMs, a.Succeeded, a.Error))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(Summary(message) with { HtmlBody = message.HtmlBody, TextBody = message.TextBody, AttemptLog = attempts });
    }

    private static async Task<bool> MaySeeAsync(MessageRecord message, ClaimsPrincipal user, ICasesApi cases, ICaseAccess access, CancellationToken cancellationToken)
    {
        var scope = await access.ScopeOfAsync(user, cancellationToken);
        if (scope.AllTeams)
        {
            return true;
        }

        return message.CaseId is { } caseId && await cases.FindAsync(caseId, cancellationToken) is { } supportCase && scope.Sees(supportCase.Team, supportCase.Level);
    }

    private static MessageResponse Summary(MessageRecord m) => new(
        m.Id,
        m.Channel.ToString().ToLowerInvariant(),
        m.Purpose.ToString().ToLowerInvariant(),
        m.TemplateKey,
        m.TemplateVersion,
        m.Language,
        m.CaseId,
        m.CustomerId,
        m.ImprovementId,
        m.RecipientAddress,
        m.RecipientName,
        m.Subject,
        MessageComposer.StatusName(m.Status),
        m.SuppressionReason,
        m.Attempts,
        m.Status is MessageStatus.Pending or MessageStatus.Retrying ? m.NextAttemptAt : null,
        m.LastError,
        m.CreatedAt,
        m.CreatedBy,
        m.SentAt,
        m.ExternalId);
}
