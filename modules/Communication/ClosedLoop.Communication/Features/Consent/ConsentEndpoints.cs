using System.Security.Claims;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>The admin API over a customer's consent: read it, and record a choice the customer made elsewhere.</summary>
internal static class ConsentEndpoints
{
    private const string ProblemBase = "https://closedloop.dev/problems/";

    /// <summary>A customer's consent to transactional and marketing messages, as it applies now.</summary>
    /// <remarks>
    /// `source` is `recorded` once the customer (through an unsubscribe link) or an admin made a choice, and `default`
    /// while the configured defaults apply (`Communication:Consent:TransactionalByDefault` and `MarketingByDefault`;
    /// `updatedAt` and `updatedBy` are then null). Admins only for now: agents reach customers through their cases,
    /// and this module does not yet know which customers' cases an agent may see.
    /// </remarks>
    /// <param name="id">The customer id.</param>
    /// <param name="customers">Which customers exist.</param>
    /// <param name="store">The recorded consents.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<ConsentResponse>, ProblemHttpResult>> Get(
        Guid id, ICustomerDirectory customers, ConsentStore store, CancellationToken cancellationToken)
    {
        if (await customers.FindAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        return TypedResults.Ok(ConsentResponse.Of(await store.GetAsync(id, cancellationToken)));
    }

    /// <summary>Records a customer's consent to transactional messages, marketing messages, or both.</summary>
    /// <remarks>
    /// Give `transactional`, `marketing` or both (true or false); a purpose left out keeps its current value. The
    /// answer is the consent as it now applies, `source: recorded`. Setting what is already recorded changes nothing
    /// (and is not audited). Messages already queued are not recalled; each message checks consent when it is written.
    /// **404** for an unknown customer, **409** for an erased one (nothing is ever sent to them), **422** without
    /// either purpose.
    /// </remarks>
    /// <param name="id">The customer id.</param>
    /// <param name="body">The purposes to set.</param>
    /// <param name="customers">Which customers exist.</param>
    /// <param name="store">The recorded consents.</param>
    /// <param name="user">The caller, recorded as who changed it.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<ConsentResponse>, ProblemHttpResult>> Put(
        Guid id, ConsentChangeRequest? body, ICustomerDirectory customers, ConsentStore store, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().When(
            body?.Transactional is null && body?.Marketing is null,
            "body",
            "Give transactional, marketing or both, each true or false, e.g. { \"marketing\": false }.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var customer = await customers.FindAsync(id, cancellationToken);
        if (customer is null)
        {
            return Problems.NotFound("customer", id);
        }

        if (customer.Erased)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Conflict",
                detail: $"Customer '{id}' was erased; nothing is sent to an erased customer, so there is no consent to record.",
                type: ProblemBase + "customer-erased",
                extensions: new Dictionary<string, object?> { ["code"] = "customer-erased" });
        }

        var consent = await store.SetAsync(id, body!.Transactional, body.Marketing, Callers.AuthorOf(user), cancellationToken);
        return TypedResults.Ok(ConsentResponse.Of(consent));
    }
}
