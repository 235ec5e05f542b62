using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Messaging;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Communication.Features.Notifications;

/// <summary>
/// Tells staff what happened to their cases: the assignee when a case is assigned to them, the members of the level
/// a case was escalated to, and the assignee (else the team at the case's level) when an SLA target is missed, by
/// email and to every webhook endpoint subscribed to the template. Runs in the event's inbox transaction, so the
/// messages are written exactly once however often the event is delivered (see <see cref="StaffNotifier"/>).
/// </summary>
internal sealed class CaseNotifications(
    CommunicationDbContext db,
    PublishedTemplates templates,
    StaffNotifier notifier,
    ICasesApi cases,
    ILogger<CaseNotifications> logger)
    : IIntegrationEventHandler<CaseAssignedIntegrationEvent>,
      IIntegrationEventHandler<CaseEscalatedIntegrationEvent>,
      IIntegrationEventHandler<CaseSlaBreachedIntegrationEvent>
{
    public const string Assigned = "case-assigned";
    public const string Escalated = "escalation-notice";
    public const string SlaBreached = "sla-breach-warning";

    public async Task HandleAsync(CaseAssignedIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        // Nobody needs telling about a case they took themselves.
        if (integrationEvent.AssigneeId is not { } assignee || integrationEvent.By.Id == assignee)
        {
            return;
        }

        await NotifyAsync(integrationEvent.Id, integrationEvent.CaseId, Assigned, (team, _) => team.Members.Where(m => m.UserId == assignee), subject => subject, cancellationToken);
    }

    public Task HandleAsync(CaseEscalatedIntegrationEvent integrationEvent, CancellationToken cancellationToken) =>
        NotifyAsync(
            integrationEvent.Id,
            integrationEvent.CaseId,
            Escalated,
            (team, _) => StaffNotifier.AtLeast(team, integrationEvent.To),
            subject => subject with { EscalationReason = integrationEvent.Reason },
            cancellationToken);

    public Task HandleAsync(CaseSlaBreachedIntegrationEvent integrationEvent, CancellationToken cancellationToken) =>
        NotifyAsync(
            integrationEvent.Id,
            integrationEvent.CaseId,
            SlaBreached,
            (team, supportCase) => supportCase.AssigneeId is { } assignee && team.Members.FirstOrDefault(m => m.UserId == assignee && m.Available) is { } member
                ? [member]
                : StaffNotifier.AtLeast(team, supportCase.Level),
            subject => subject with { SlaTarget = integrationEvent.Target },
            cancellationToken);

    private async Task NotifyAsync(
        Guid eventId,
        Guid caseId,
        string templateKey,
        Func<TeamContacts, CaseSnapshot, IEnumerable<TeamMemberContact>> recipients,
        Func<MessageSubject, MessageSubject> shape,
        CancellationToken cancellationToken)
    {
        var supportCase = await cases.FindAsync(caseId, cancellationToken);
        var template = await templates.FindAsync(db, templateKey, cancellationToken);
        if (supportCase is null || template is null)
        {
            logger.LogWarning("No {Template} notification for case {CaseId}: the {Missing} does not exist", templateKey, caseId, supportCase is null ? "case" : "template");
            return;
        }

        await notifier.QueueAsync(template, supportCase, team => recipients(team, supportCase), shape, $"event:{eventId:N}", cancellationToken);
    }
}
