using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Messaging;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>
/// Puts what the customer was told on the case's timeline: a message queued (or suppressed, with why), delivered or
/// given up on (staff notifications stay off it), and an improvement announced to them (the loop closed).
/// </summary>
/// <remarks>
/// Queued messages come in bursts (every loop's SendMessage step writes one): several in one dispatch are recorded
/// with one read of their cases and one save, instead of a case and team read and a save each. A case changed
/// meanwhile fails the batch; the dispatcher then hands each event over alone, through <see cref="CaseWork"/>, which
/// retries on the fresh case.
/// </remarks>
internal sealed class RecordCommunication(CasesDbContext db, TimeProvider time)
    : IIntegrationEventHandler<CustomerMessageQueuedIntegrationEvent>,
      IIntegrationEventBatchHandler<CustomerMessageQueuedIntegrationEvent>,
      IIntegrationEventHandler<MessageDeliveredIntegrationEvent>,
      IIntegrationEventHandler<MessageDeadLetteredIntegrationEvent>,
      IIntegrationEventHandler<CaseCommunicatedIntegrationEvent>
{
    private static readonly CaseActor Communication = new("system:communication", "Communication");

    public Task HandleAsync(CustomerMessageQueuedIntegrationEvent e, CancellationToken cancellationToken) =>
        RecordAsync(e.CaseId, KindOf(e), TextOf(e), new CaseActor(e.By, e.By), cancellationToken);

    public async Task HandleAsync(IReadOnlyList<CustomerMessageQueuedIntegrationEvent> integrationEvents, CancellationToken cancellationToken)
    {
        var ids = integrationEvents.Where(e => e.CaseId is not null).Select(e => e.CaseId!.Value).Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        // Recording changes neither team nor level, so unlike CaseWork no team, calendar or access event is needed.
        var cases = await db.Cases.Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        foreach (var e in integrationEvents)
        {
            // A case erased or never there: nothing to record on.
            if (e.CaseId is { } id && cases.TryGetValue(id, out var found))
            {
                found.Record(KindOf(e), TextOf(e), new CaseActor(e.By, e.By), time.GetUtcNow());
            }
        }

        foreach (var found in cases.Values.Where(c => c.NewEntries.Count > 0))
        {
            found.Version++;
            db.Entries.AddRange(found.NewEntries);
            found.NewEntries.Clear();
        }
    }

    public Task HandleAsync(MessageDeliveredIntegrationEvent e, CancellationToken cancellationToken) =>
        !e.ToCustomer
            ? Task.CompletedTask
            : RecordAsync(e.CaseId, "messageSent", $"Message '{e.TemplateKey}' was delivered ({e.Channel}); message {e.MessageId}.", Communication, cancellationToken);

    public Task HandleAsync(MessageDeadLetteredIntegrationEvent e, CancellationToken cancellationToken) =>
        !e.ToCustomer
            ? Task.CompletedTask
            : RecordAsync(e.CaseId, "messageFailed", $"Message '{e.TemplateKey}' failed {e.Attempts} attempts and waits for an admin retry; message {e.MessageId}.", Communication, cancellationToken);

    public Task HandleAsync(CaseCommunicatedIntegrationEvent e, CancellationToken cancellationToken) =>
        RecordAsync(e.CaseId, "communicated", $"The customer was told about the improvement \"{e.ImprovementTitle}\"; message {e.MessageId}.", Communication, cancellationToken);

    private async Task RecordAsync(Guid? caseId, string kind, string text, CaseActor by, CancellationToken cancellationToken)
    {
        if (caseId is not { } id)
        {
            return;
        }

        // A case erased or never there: nothing to record on.
        await CaseWork.RunAsync(db, id, null, null, time, c =>
        {
            c.Case.Record(kind, text, by, c.Now);
            return Task.FromResult<SharedKernel.Error?>(null);
        }, cancellationToken);
    }

    private static string KindOf(CustomerMessageQueuedIntegrationEvent e) => e.Status == "suppressed" ? "messageSuppressed" : "messageQueued";

    private static string TextOf(CustomerMessageQueuedIntegrationEvent e) => e.Status == "suppressed"
        ? $"Message '{e.TemplateKey}' to the customer was not sent ({e.SuppressionReason}); message {e.MessageId}."
        : $"Message '{e.TemplateKey}' to the customer queued: \"{e.Subject}\"; message {e.MessageId}.";
}
