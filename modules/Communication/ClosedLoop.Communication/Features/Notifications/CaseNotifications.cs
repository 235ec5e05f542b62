using System.Security.Cryptography;
using System.Text;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Communication.Features.Notifications;

/// <summary>
/// Tells staff what happened to their cases: the assignee when a case is assigned to them, the members of the level
/// a case was escalated to, and the assignee (else the team at the case's level) when an SLA target is missed, by
/// email and to every webhook endpoint subscribed to the template. Runs in the event's inbox transaction, so the
/// messages are written exactly once however often the event is delivered.
/// </summary>
internal sealed class CaseNotifications(
    CommunicationDbContext db,
    PublishedTemplates templates,
    MessageComposer composer,
    ICasesApi cases,
    ICustomerDirectory customers,
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

        await NotifyAsync(integrationEvent.Id, integrationEvent.CaseId, Assigned, team => team.Members.Where(m => m.UserId == assignee), subject => subject, cancellationToken);
    }

    public Task HandleAsync(CaseEscalatedIntegrationEvent integrationEvent, CancellationToken cancellationToken) =>
        NotifyAsync(
            integrationEvent.Id,
            integrationEvent.CaseId,
            Escalated,
            team => AtLeast(team, integrationEvent.To),
            subject => subject with { EscalationReason = integrationEvent.Reason },
            cancellationToken);

    public Task HandleAsync(CaseSlaBreachedIntegrationEvent integrationEvent, CancellationToken cancellationToken) =>
        NotifyAsync(
            integrationEvent.Id,
            integrationEvent.CaseId,
            SlaBreached,
            (team, supportCase) => supportCase.AssigneeId is { } assignee && team.Members.FirstOrDefault(m => m.UserId == assignee && m.Available) is { } member
                ? [member]
                : AtLeast(team, supportCase.Level),
            subject => subject with { SlaTarget = integrationEvent.Target },
            cancellationToken);

    private static IEnumerable<TeamMemberContact> AtLeast(TeamContacts team, EscalationLevel level)
    {
        var available = team.Members.Where(m => m.Available).ToList();

        // The level reached; when nobody works at it, whoever works above it.
        var exact = available.Where(m => m.Level == level).ToList();
        return exact.Count > 0 ? exact : available.Where(m => m.Level > level);
    }

    private Task NotifyAsync(Guid eventId, Guid caseId, string templateKey, Func<TeamContacts, IEnumerable<TeamMemberContact>> recipients, Func<MessageSubject, MessageSubject> shape, CancellationToken cancellationToken) =>
        NotifyAsync(eventId, caseId, templateKey, (team, _) => recipients(team), shape, cancellationToken);

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

        var team = supportCase.Team is null ? null : await cases.TeamContactsAsync(supportCase.Team, cancellationToken);
        var customer = await customers.FindAsync(supportCase.CustomerId, cancellationToken);
        var feedback = await customers.FindFeedbackAsync(supportCase.FeedbackId, cancellationToken);
        var subject = shape(new MessageSubject(customer, feedback, supportCase, TeamName: team?.Name));
        if (team is not null)
        {
            foreach (var member in recipients(team, supportCase).DistinctBy(m => m.UserId))
            {
                var recipient = new RecipientModel(member.Name, member.Email, team.Name);
                await composer.ToStaffAsync(template, subject with { Recipient = recipient }, Key(eventId, "u", member.UserId), cancellationToken);
            }
        }

        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(w => w.Enabled).ToListAsync(cancellationToken);
        foreach (var endpoint in endpoints.Where(e => Subscribes(e, templateKey)))
        {
            var recipient = new RecipientModel(endpoint.Name, null, team?.Name);
            await composer.ToWebhookAsync(template, subject with { Recipient = recipient }, endpoint, Key(eventId, "w", endpoint.Id.ToString("N")), cancellationToken);
        }
    }

    /// <summary>Whether an endpoint takes notifications of <paramref name="templateKey"/> (its list, or <c>*</c>).</summary>
    public static bool Subscribes(WebhookEndpointRecord endpoint, string templateKey) =>
        endpoint.Events.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(e => e == "*" || string.Equals(e, templateKey, StringComparison.Ordinal));

    /// <summary>One key per event and recipient; a long recipient id is hashed so the key stays within its column.</summary>
    private static string Key(Guid eventId, string kind, string recipient)
    {
        var id = recipient.Length <= 64 ? recipient : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipient)));
        return $"event:{eventId:N}:{kind}:{id}";
    }
}
