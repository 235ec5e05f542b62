using System.Security.Claims;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Delivery;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Webhooks;

/// <summary>The admin API over webhook endpoints: the receivers of signed internal notifications.</summary>
internal static class WebhookEndpointEndpoints
{
    /// <summary>Registers a webhook endpoint; the answer shows its signing secret, once.</summary>
    /// <remarks>
    /// Deliveries follow Standard Webhooks (https://www.standardwebhooks.com): a JSON POST with `webhook-id`,
    /// `webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}` with the
    /// base64-decoded part of the secret after `whsec_`). Without `secret`, one is generated: keep it from this answer,
    /// it is never shown again. `url` must be http(s), without credentials, on a public address: a host that resolves
    /// to a loopback, private, link-local, CGNAT or multicast address is **422** (naming `url`). A name in use is **409**.
    /// </remarks>
    /// <param name="body">Name, URL, events and an optional secret.</param>
    /// <param name="db">The module's store.</param>
    /// <param name="guard">The address check.</param>
    /// <param name="time">The clock.</param>
    /// <param name="user">The caller.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Created<WebhookEndpointCreated>, ProblemHttpResult>> Create(
        WebhookEndpointCreateRequest body, CommunicationDbContext db, WebhookTargetGuard guard, TimeProvider time, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        WebhookEndpointValidation.CheckName(body?.Name, errors);
        var events = WebhookEndpointValidation.CheckEvents(body?.Events, errors);
        WebhookEndpointValidation.CheckSecret(body?.Secret, errors);
        if (await guard.CheckAsync(body?.Url, cancellationToken) is { } urlProblem)
        {
            errors.Add("url", urlProblem);
        }

        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var name = body!.Name!.Trim();
        if (await db.WebhookEndpoints.AnyAsync(e => e.Name == name, cancellationToken))
        {
            return NameTaken(name);
        }

        var endpoint = new WebhookEndpointRecord
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Url = body.Url!,
            Secret = body.Secret ?? WebhookSignature.NewSecret(),
            Events = events!,
            Enabled = true,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = Callers.AuthorOf(user),
        };
        db.WebhookEndpoints.Add(endpoint);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique index on the name: someone took it between the check and the save.
            if (await NameInUseAsync(db, name, endpoint.Id))
            {
                return NameTaken(name);
            }

            throw;
        }

        var view = WebhookEndpointResponse.Of(endpoint);
        return TypedResults.Created(
            $"/api/v1/webhook-endpoints/{endpoint.Id}",
            new WebhookEndpointCreated(view.Id, view.Name, view.Url, view.Events, view.Enabled, view.CreatedAt, view.CreatedBy, endpoint.Secret));
    }

    /// <summary>Lists the webhook endpoints by name, without their secrets.</summary>
    /// <param name="query">Paging.</param>
    /// <param name="db">The module's store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PagedList<WebhookEndpointResponse>>, ProblemHttpResult>> List(
        [AsParameters] PageQuery query, CommunicationDbContext db, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var page = query.Validate(errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var total = await db.WebhookEndpoints.LongCountAsync(cancellationToken);
        var rows = await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.Name).Skip(page.Skip).Take(page.PageSize).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<WebhookEndpointResponse>(rows.ConvertAll(WebhookEndpointResponse.Of), page.Page, page.PageSize, total));
    }

    /// <summary>One webhook endpoint, without its secret.</summary>
    /// <param name="id">The endpoint's id.</param>
    /// <param name="db">The module's store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> Get(Guid id, CommunicationDbContext db, CancellationToken cancellationToken)
    {
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        return endpoint is null ? Problems.NotFound("webhook endpoint", id) : TypedResults.Ok(WebhookEndpointResponse.Of(endpoint));
    }

    /// <summary>Changes an endpoint's name, URL, events or whether it is enabled; fields left out stay as they are.</summary>
    /// <remarks>
    /// A new `url` is checked as at creation (**422** for a non-public address). Disabling an endpoint suppresses its
    /// messages that have not gone yet (reason `webhook-endpoint-disabled`). The secret cannot be changed here: create
    /// a new endpoint to rotate it.
    /// </remarks>
    /// <param name="id">The endpoint's id.</param>
    /// <param name="body">The fields to change.</param>
    /// <param name="db">The module's store.</param>
    /// <param name="guard">The address check.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> Update(
        Guid id, WebhookEndpointUpdateRequest body, CommunicationDbContext db, WebhookTargetGuard guard, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (body?.Name is not null)
        {
            WebhookEndpointValidation.CheckName(body.Name, errors);
        }

        var events = body?.Events is null ? null : WebhookEndpointValidation.CheckEvents(body.Events, errors);
        if (body?.Url is not null && await guard.CheckAsync(body.Url, cancellationToken) is { } urlProblem)
        {
            errors.Add("url", urlProblem);
        }

        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return Problems.NotFound("webhook endpoint", id);
        }

        var name = body!.Name?.Trim() ?? endpoint.Name;
        if (name != endpoint.Name && await db.WebhookEndpoints.AnyAsync(e => e.Name == name, cancellationToken))
        {
            return NameTaken(name);
        }

        endpoint.Name = name;
        endpoint.Url = body.Url ?? endpoint.Url;
        endpoint.Events = events ?? endpoint.Events;
        endpoint.Enabled = body.Enabled ?? endpoint.Enabled;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique index on the name: someone took it between the check and the save.
            if (await NameInUseAsync(db, name, endpoint.Id))
            {
                return NameTaken(name);
            }

            throw;
        }

        return TypedResults.Ok(WebhookEndpointResponse.Of(endpoint));
    }

    /// <summary>Deletes a webhook endpoint; its messages that have not gone yet are suppressed (`webhook-endpoint-deleted`).</summary>
    /// <param name="id">The endpoint's id.</param>
    /// <param name="db">The module's store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CommunicationDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? Problems.NotFound("webhook endpoint", id) : TypedResults.NoContent();
    }

    private static ProblemHttpResult NameTaken(string name) =>
        Problems.From(Error.Conflict("webhook-endpoint-name-taken", $"A webhook endpoint named '{name}' exists; choose another name or change that one."));

    private static async Task<bool> NameInUseAsync(CommunicationDbContext db, string name, Guid except)
    {
        db.ChangeTracker.Clear();
        return await db.WebhookEndpoints.AnyAsync(e => e.Name == name && e.Id != except, CancellationToken.None);
    }
}
