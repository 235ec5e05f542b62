using System.Text.RegularExpressions;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Features.Consent;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Sending;

/// <summary>
/// The module's in-process contract: a templated message to a case's customer, written to the outbox and saved.
/// The HTTP route and (next) the workflow runtime's send step both come through here.
/// </summary>
internal sealed partial class CommunicationApi(
    CommunicationDbContext db,
    PublishedTemplates templates,
    MessageComposer composer,
    ICasesApi cases,
    CaseSubjects subjects,
    ConsentPolicy consent) : ICommunicationApi
{
    public const int MaxVariables = 20;
    public const int MaxVariableLength = 2_000;

    public async Task<Result<QueuedMessage>> SendToCaseCustomerAsync(CaseMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        var supportCase = await cases.FindAsync(request.CaseId, cancellationToken);
        if (supportCase is null)
        {
            return Error.NotFound("case-not-found", $"No case with id '{request.CaseId}'.");
        }

        return await SendValidatedAsync(supportCase, request, surveyUrl: null, cancellationToken);
    }

    /// <summary>As <see cref="SendAsync(CaseSnapshot, CaseMessageRequest, CancellationToken)"/>, with a loop's signed survey link as <c>links.survey</c>.</summary>
    public async Task<Result<QueuedMessage>> SendSurveyAsync(CaseSnapshot supportCase, CaseMessageRequest request, string surveyUrl, CancellationToken cancellationToken) =>
        Validate(request) is { } invalid ? invalid : await SendValidatedAsync(supportCase, request, surveyUrl, cancellationToken);

    /// <summary>As <see cref="SendToCaseCustomerAsync"/>, for a case the caller has already read (and checked access to).</summary>
    public async Task<Result<QueuedMessage>> SendAsync(CaseSnapshot supportCase, CaseMessageRequest request, CancellationToken cancellationToken) =>
        Validate(request) is { } invalid ? invalid : await SendValidatedAsync(supportCase, request, surveyUrl: null, cancellationToken);

    private async Task<Result<QueuedMessage>> SendValidatedAsync(CaseSnapshot supportCase, CaseMessageRequest request, string? surveyUrl, CancellationToken cancellationToken)
    {
        var dedupKey = DedupKeyOf(supportCase.Id, request.DedupKey ?? $"message:{Guid.CreateVersion7():N}");
        if (dedupKey.Length > MessageRecord.MaxDedupKeyLength)
        {
            return Error.Validation(Field("dedupKey", $"A deduplication key is at most {MessageRecord.MaxDedupKeyLength - 50} characters."));
        }

        var known = await KnownAsync(request.TemplateKey, dedupKey, supportCase.CustomerId, cancellationToken);
        if ((known is null || known.Sent) && await composer.FindAsync(dedupKey, cancellationToken) is { } earlier)
        {
            return Queued(earlier, duplicate: true);
        }

        if (known is null)
        {
            return Error.NotFound("template-not-found", $"No template with key '{request.TemplateKey}'.");
        }

        var template = await templates.VersionAsync(db, request.TemplateKey, known.Version, cancellationToken);
        var subject = await subjects.SubjectAsync(supportCase, cancellationToken);
        var purpose = MessageKinds.PurposeOf(template.Key);

        // Decided here from the consent read above, and the key checked above: the composer need not read either again.
        // Marketing also counts the frequency cap, which the composer does.
        Func<string?>? suppression = null;
        if (purpose != MessagePurpose.Marketing && subject.Customer is { } customer)
        {
            var reason = consent.SuppressionReason(db, customer, purpose, known.Transactional is { } t ? (t, known.Marketing ?? false) : null);
            suppression = () => reason;
        }

        try
        {
            var composed = await composer.ToCustomerAsync(
                template,
                subject with { Extra = request.Variables, SurveyUrl = surveyUrl },
                dedupKey,
                request.By,
                improvementId: null,
                cancellationToken,
                suppression);
            await db.SaveChangesAsync(cancellationToken);
            return Queued(composed.Message, composed.Duplicate);
        }
        catch (DbUpdateException) when (request.DedupKey is not null)
        {
            // The same key, sent twice at once: the other call's message stands.
            db.ChangeTracker.Clear();
            return await composer.FindAsync(dedupKey, cancellationToken) is { } winner ? Queued(winner, duplicate: true) : throw new InvalidOperationException($"Message {dedupKey} was neither written nor found.");
        }
        catch (TemplateException e)
        {
            return Error.Validation(
                new Dictionary<string, string[]> { ["template"] = [.. e.Errors.Select(x => $"line {x.Line}, column {x.Column}: {x.Message}")] },
                $"Template '{request.TemplateKey}' does not render for this case; preview it with this caseId to see why.");
        }
    }

    /// <summary>
    /// What a send needs from this module, in ONE statement: the template's published version (null: no such template),
    /// whether a message already has the key (one added to this context but not saved counts too), and the customer's
    /// recorded consent (null: none recorded).
    /// </summary>
    private async Task<KnownForSend?> KnownAsync(string templateKey, string dedupKey, Guid customerId, CancellationToken cancellationToken)
    {
        var known = await db.Templates.AsNoTracking()
            .Where(t => t.Key == templateKey)
            .Select(t => new KnownForSend(
                t.PublishedVersion,
                db.Messages.Any(m => m.DedupKey == dedupKey),
                db.Consents.Where(c => c.CustomerId == customerId).Select(c => (bool?)c.Transactional).FirstOrDefault(),
                db.Consents.Where(c => c.CustomerId == customerId).Select(c => (bool?)c.Marketing).FirstOrDefault()))
            .FirstOrDefaultAsync(cancellationToken);
        return known is not null && db.Messages.Local.Any(m => m.DedupKey == dedupKey) ? known with { Sent = true } : known;
    }

    /// <summary>The message key a case message's deduplication key becomes.</summary>
    public static string DedupKeyOf(Guid caseId, string dedupKey) => $"case:{caseId}:{dedupKey}";

    private static Error? Validate(CaseMessageRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.TemplateKey))
        {
            return Error.Validation(Field("template", "template is required: the key of a customer template, e.g. resolution."));
        }

        if (MessageKinds.IsInternal(request.TemplateKey))
        {
            return Error.Validation(Field("template", $"'{request.TemplateKey}' is an internal template for staff; a case message goes to the customer."));
        }

        if (request.Variables is { } variables)
        {
            if (variables.Count > MaxVariables)
            {
                return Error.Validation(Field("variables", $"At most {MaxVariables} variables."));
            }

            foreach (var (name, value) in variables)
            {
                if (!VariableName().IsMatch(name))
                {
                    return Error.Validation(Field($"variables.{name}", "A variable name is a letter followed by up to 39 letters, digits or underscores."));
                }

                if (value is null || value.Length > MaxVariableLength)
                {
                    return Error.Validation(Field($"variables.{name}", $"A variable is a string of at most {MaxVariableLength:N0} characters."));
                }
            }
        }

        return null;
    }

    private static Dictionary<string, string[]> Field(string name, string message) => new() { [name] = [message] };

    private static QueuedMessage Queued(MessageRecord message, bool duplicate) =>
        new(message.Id, MessageComposer.StatusName(message.Status), message.SuppressionReason, duplicate);

    private sealed record KnownForSend(int Version, bool Sent, bool? Transactional, bool? Marketing);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex VariableName();
}
