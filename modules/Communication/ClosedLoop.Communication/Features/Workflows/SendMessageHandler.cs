using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Features.Notifications;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using ClosedLoop.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Workflows;

/// <summary>
/// Runs SendMessage: a templated message to the case's customer (consent and the frequency cap apply; a suppressed
/// message is an outcome, not a failure), or to staff (the assignee, the team, or the members at the management or
/// executive level, and the webhook endpoints subscribed to the template), deduplicated by the step's key. With
/// <c>onceWithin</c>, a customer who got this template (queued or sent) within that time gets nothing more.
/// </summary>
internal sealed class SendMessageHandler(
    CommunicationDbContext db,
    CommunicationApi api,
    ICasesApi cases,
    PublishedTemplates templates,
    StaffNotifier notifier) : IActivityHandler
{
    public const string Type = "SendMessage";
    public const string OnceWithin = "onceWithin";

    public string ActivityType => Type;

    public async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var template = context.String("template");
        if (string.IsNullOrWhiteSpace(template))
        {
            return ActivityResult.Fault("SendMessage needs a template key.");
        }

        var supportCase = await cases.FindAsync(context.CorrelationId, cancellationToken);
        if (supportCase is null)
        {
            return ActivityResult.Fault($"No case with id '{context.CorrelationId}': the loop's case does not exist (any more).");
        }

        var to = context.String("to") ?? "customer";
        return to switch
        {
            "customer" => await ToCustomerAsync(context, supportCase, template, cancellationToken),
            "assignee" or "team" or "management" or "executive" => await ToStaffAsync(context, supportCase, template, to, cancellationToken),
            _ => ActivityResult.Fault($"SendMessage cannot send to '{to}': use customer, assignee, team, management or executive."),
        };
    }

    private async Task<ActivityResult> ToCustomerAsync(ActivityExecutionContext context, CaseSnapshot supportCase, string template, CancellationToken cancellationToken)
    {
        var within = context.TimeSpan(OnceWithin);
        if (Given(context, OnceWithin) && within is null or { Ticks: <= 0 })
        {
            return ActivityResult.Fault($"{OnceWithin} must be a positive time span (d.hh:mm:ss), e.g. 90.00:00:00.");
        }

        if (within is { } window && await LastSentAsync(supportCase, template, context.StepKey, context.Now - window, cancellationToken) is { } lastAt)
        {
            return StepOutputs.Complete("Done", new { skipped = "askedRecently", lastAt });
        }

        var sent = await api.SendAsync(supportCase, new CaseMessageRequest(supportCase.Id, template, StepOutputs.Compact(context.StepKey), By(context)), cancellationToken);
        return Outcome(sent, template, supportCase.Id);
    }

    /// <summary>
    /// When the customer last got <paramref name="template"/> (queued, being sent or sent) after <paramref name="since"/>,
    /// other than by this very step (a repeat of the step answers its own message instead).
    /// </summary>
    private async Task<DateTimeOffset?> LastSentAsync(CaseSnapshot supportCase, string template, string stepKey, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var own = CommunicationApi.DedupKeyOf(supportCase.Id, StepOutputs.Compact(stepKey));
        return await db.Messages.AsNoTracking()
            .Where(m => m.CustomerId == supportCase.CustomerId && m.TemplateKey == template && m.CreatedAt > since
                && m.Status != MessageStatus.Suppressed && m.Status != MessageStatus.DeadLettered && m.DedupKey != own)
            .OrderByDescending(m => m.CreatedAt)
            .Select(m => (DateTimeOffset?)m.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
    }

    internal static ActivityResult Outcome(Result<QueuedMessage> sent, string template, Guid caseId) => sent switch
    {
        { IsSuccess: true, Value: { } queued } => StepOutputs.Complete("Done", new { status = queued.Status, reason = queued.SuppressionReason, messageId = queued.MessageId, duplicate = queued.Duplicate }),
        { Error: { Kind: ErrorKind.NotFound } error } => ActivityResult.Fault($"{error.Message} (template '{template}', case '{caseId}')"),
        { Error: { } error } => ActivityResult.Fault($"Template '{template}' cannot be sent to the customer of case '{caseId}': {error.Message} {string.Join(" ", error.Fields.SelectMany(f => f.Value))}".TrimEnd()),
        _ => ActivityResult.Fault("The message was neither queued nor refused."),
    };

    private async Task<ActivityResult> ToStaffAsync(ActivityExecutionContext context, CaseSnapshot supportCase, string templateKey, string to, CancellationToken cancellationToken)
    {
        if (Given(context, OnceWithin))
        {
            return ActivityResult.Fault($"{OnceWithin} applies to messages to the customer only.");
        }

        var template = await templates.FindAsync(db, templateKey, cancellationToken);
        if (template is null)
        {
            return ActivityResult.Fault($"No template with key '{templateKey}'.");
        }

        for (var attempt = 1; ; attempt++)
        {
            var notice = await notifier.QueueAsync(template, supportCase, team => Recipients(team, supportCase, to), subject => subject, $"step:{StepOutputs.Compact(context.StepKey)}", cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return notice.MessageIds.Count == 0
                    ? StepOutputs.Complete("Done", new { status = "noRecipients", reason = notice.HasTeam ? $"nobody-{to}" : "no-team" })
                    : StepOutputs.Complete("Done", new { status = "queued", recipients = notice.MessageIds.Count, messageIds = notice.MessageIds });
            }
            catch (DbUpdateException e) when (attempt < 3 && DbErrors.IsWriteConflict(e))
            {
                // The same step ran twice at once: the other run's messages stand; this run finds them.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static IEnumerable<TeamMemberContact> Recipients(TeamContacts team, CaseSnapshot supportCase, string to) => to switch
    {
        "assignee" => team.Members.Where(m => m.UserId == supportCase.AssigneeId),
        "team" => team.Members.Where(m => m.Available),
        "management" => StaffNotifier.AtLeast(team, EscalationLevel.Management),
        _ => StaffNotifier.AtLeast(team, EscalationLevel.Executive),
    };

    /// <summary>An input with a value (a literal <c>null</c> counts as absent).</summary>
    internal static bool Given(ActivityExecutionContext context, string input) => context.Input(input) is { ValueKind: not System.Text.Json.JsonValueKind.Null };

    internal static string By(ActivityExecutionContext context) => $"system:workflow:{context.DefinitionId}:{context.Activity.Id}";
}
