using System.Text;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Features.Consent;
using ClosedLoop.Communication.Features.Surveys;
using ClosedLoop.Communication.Sending;
using ClosedLoop.SharedKernel;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Communication.Features.Workflows;

/// <summary>
/// Runs SendSurvey: invites the case's customer (template <c>survey-invitation</c> unless named) with a signed link
/// <c>{PublicBaseUrl}/s/{token}</c> as <c>links.survey</c>, then waits for the answer (bookmark <c>survey-answer</c>,
/// key <c>{instanceId:N}:{activityId}</c>) until the link expires: Answered with the answer, or Expired. An invitation
/// that must not go out (consent, cap, erasure) continues through Expired at once, as nobody can answer it.
/// </summary>
internal sealed class SendSurveyHandler(CommunicationApi api, ICasesApi cases, SurveyLinks links, LinkSigningKey signingKey) : IActivityHandler
{
    public const string Type = "SendSurvey";
    public const string DefaultTemplate = "survey-invitation";
    public const string BookmarkKind = "survey-answer";
    public const string Answered = "Answered";
    public const string Expired = "Expired";
    public static readonly TimeSpan DefaultExpiry = TimeSpan.FromDays(30);

    public string ActivityType => Type;

    public static string BookmarkKey(Guid instanceId, string activityId) => $"{instanceId:N}:{activityId}";

    public async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var template = context.String("template") ?? DefaultTemplate;
        var expiresAfter = context.TimeSpan("expiresAfter");
        if (SendMessageHandler.Given(context, "expiresAfter") && expiresAfter is null or { Ticks: <= 0 })
        {
            return ActivityResult.Fault("expiresAfter must be a positive time span (d.hh:mm:ss), e.g. 30.00:00:00.");
        }

        var activityId = context.Activity.Id;
        if (Encoding.UTF8.GetByteCount(activityId) > SurveyLinks.MaxActivityIdBytes)
        {
            return ActivityResult.Fault($"A SendSurvey step's id is at most {SurveyLinks.MaxActivityIdBytes} bytes (it travels in the survey link).");
        }

        var supportCase = await cases.FindAsync(context.CorrelationId, cancellationToken);
        if (supportCase is null)
        {
            return ActivityResult.Fault($"No case with id '{context.CorrelationId}': the loop's case does not exist (any more).");
        }

        // Loaded before the message is written: a first load inserts the key, which must not wait on a write lock.
        signingKey.EnsureLoaded();
        var expiresAt = context.Now + (expiresAfter ?? DefaultExpiry);
        var url = links.CreateUrl(new SurveyTicket(context.InstanceId, activityId, supportCase.Id, supportCase.CustomerId, expiresAt));
        var request = new CaseMessageRequest(supportCase.Id, template, StepOutputs.Compact(context.StepKey), SendMessageHandler.By(context));
        var sent = await api.SendSurveyAsync(supportCase, request, url, cancellationToken);
        if (sent is not { IsSuccess: true, Value: { } queued })
        {
            return SendMessageHandler.Outcome(sent, template, supportCase.Id);
        }

        if (queued.Status == "suppressed")
        {
            return StepOutputs.Complete(Expired, new { status = "suppressed", reason = queued.SuppressionReason, messageId = queued.MessageId });
        }

        return ActivityResult.Wait(new BookmarkRequest(BookmarkKind, BookmarkKey(context.InstanceId, activityId), expiresAt, Answered, Expired));
    }
}
