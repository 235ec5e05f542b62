using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Messaging;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>
/// Puts what the customer was told on the case's timeline: a message queued (or suppressed, with why), delivered or
/// given up on (staff notifications stay off it), and an improvement announced to them (the loop closed).
/// </summary>
internal sealed class RecordCommunication(CasesDbContext db, TimeProvider time)
    : IIntegrationEventHandler<CustomerMessageQueuedIntegrationEvent>,
      IIntegrationEventHandler<MessageDeliveredIntegrationEvent>,
      IIntegrationEventHandler<MessageDeadLetteredIntegrationEvent>,
      IIntegrationEventHandler<CaseCommunicatedIntegrationEvent>
{
    private static readonly CaseActor Communication = new("system:communication", "Communication");

    public Task HandleAsync(CustomerMessageQueuedIntegrationEvent e, CancellationToken cancellationToken) =>
        RecordAsync(
            e.CaseId,
            e.Status == "suppressed" ? "messageSuppressed" : "messageQueued",
            e.Status == "suppressed"
                ? $"Message '{e.TemplateKey}' to the customer was not sent ({e.SuppressionReason}); message {e.MessageId}."
                : $"Message '{e.TemplateKey}' to the customer queued: \"{e.Subject}\"; message {e.MessageId}.",
            new CaseActor(e.By, e.By),
            cancellationToken);

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
}
