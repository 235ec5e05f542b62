using ClosedLoop.Feedback.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>
/// The links in customers' emails: opening one (or a mail client's RFC 8058 one-click POST) withdraws marketing
/// consent. No login: the signed token is the authority. Idempotent, and the same answer for a customer who was
/// erased (nothing is stored then), so the page reveals nothing about the customer behind a link.
/// </summary>
internal static partial class UnsubscribeEndpoints
{
    /// <summary>Who a link's change is recorded as.</summary>
    public const string UpdatedBy = "unsubscribe-link";

    /// <summary>Unsubscribes from marketing emails; answers a small HTML page.</summary>
    /// <remarks>
    /// The link from a customer email (`{PublicBaseUrl}/u/{token}`, also its `List-Unsubscribe` header). Withdraws the
    /// customer's marketing consent; transactional messages (about their own feedback and cases) continue. Opening it
    /// again changes nothing. **200** page when done, **410** page when the link expired
    /// (`Communication:Consent:UnsubscribeLinkLifetime`), **400** page when it is not a genuine link. In German when
    /// `Accept-Language` prefers it. The refusals are pages for browsers (`Accept: text/html`) and problem documents
    /// (`code` `link-expired` or `link-invalid`) for other clients. No API key; rate-limited per client address.
    /// </remarks>
    /// <param name="token">The signed token from the link.</param>
    /// <param name="http">The request, for the page's language.</param>
    /// <param name="links">Reads the token.</param>
    /// <param name="customers">Whether the customer still exists, unerased.</param>
    /// <param name="store">Records the withdrawal.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Notes withdrawals and refused links.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static Task<IResult> Open(
        string token, HttpContext http, UnsubscribeLinks links, ICustomerDirectory customers, ConsentStore store, TimeProvider time,
        ILogger<UnsubscribeLinks> logger, CancellationToken cancellationToken) =>
        UnsubscribeAsync(token, http, links, customers, store, time, logger, cancellationToken);

    /// <summary>One-click unsubscribe (RFC 8058), as mail clients send it from the `List-Unsubscribe-Post` header.</summary>
    /// <remarks>
    /// The mail client POSTs `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded) to the link; the body is
    /// not needed (the token decides) and is not read. Same effect and answers as GET.
    /// </remarks>
    /// <param name="token">The signed token from the link.</param>
    /// <param name="http">The request, for the page's language.</param>
    /// <param name="links">Reads the token.</param>
    /// <param name="customers">Whether the customer still exists, unerased.</param>
    /// <param name="store">Records the withdrawal.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Notes withdrawals and refused links.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static Task<IResult> OneClick(
        string token, HttpContext http, UnsubscribeLinks links, ICustomerDirectory customers, ConsentStore store, TimeProvider time,
        ILogger<UnsubscribeLinks> logger, CancellationToken cancellationToken) =>
        UnsubscribeAsync(token, http, links, customers, store, time, logger, cancellationToken);

    private static async Task<IResult> UnsubscribeAsync(
        string token, HttpContext http, UnsubscribeLinks links, ICustomerDirectory customers, ConsentStore store, TimeProvider time,
        ILogger logger, CancellationToken cancellationToken)
    {
        if (!links.TryRead(token, time.GetUtcNow(), out var customerId, out var failure))
        {
            LogRefused(logger, failure);
            return UnsubscribePage.For(failure == UnsubscribeLinks.Expired ? UnsubscribeOutcome.Expired : UnsubscribeOutcome.Invalid, http);
        }

        if (await customers.FindAsync(customerId, cancellationToken) is { Erased: false })
        {
            var consent = await store.SetAsync(customerId, transactional: null, marketing: false, UpdatedBy, cancellationToken);
            if (consent.Changed)
            {
                LogWithdrawn(logger, customerId);
            }
        }

        return UnsubscribePage.For(UnsubscribeOutcome.Done, http);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Customer {CustomerId} withdrew marketing consent through an unsubscribe link")]
    private static partial void LogWithdrawn(ILogger logger, Guid customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "An unsubscribe link was refused: {Failure}")]
    private static partial void LogRefused(ILogger logger, string? failure);
}
