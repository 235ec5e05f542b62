using ClosedLoop.SharedKernel;

namespace ClosedLoop.Communication.Contracts;

/// <summary>What other modules (the workflow runtime) may ask of Communication, in-process.</summary>
public interface ICommunicationApi
{
    /// <summary>
    /// Writes a templated message to a case's customer into the outbox (the dispatcher delivers it). A second call with
    /// the same <see cref="CaseMessageRequest.DedupKey"/> writes nothing and answers the first message. A message that
    /// must not go out (consent, erasure, frequency cap, no address) is written as suppressed, with the reason.
    /// Fails with not-found for an unknown case or template, and validation for an internal template.
    /// </summary>
    Task<Result<QueuedMessage>> SendToCaseCustomerAsync(CaseMessageRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A templated message to the customer of a case.</summary>
/// <param name="CaseId">The case.</param>
/// <param name="TemplateKey">A customer template, e.g. <c>resolution</c>.</param>
/// <param name="DedupKey">What makes a repeat a no-op (e.g. a workflow instance and step), or null for a fresh message.</param>
/// <param name="By">Who sends it: a caller id or <c>system:…</c>.</param>
/// <param name="Variables">Extra values, seen by the template as <c>extra.name</c>.</param>
public sealed record CaseMessageRequest(
    Guid CaseId,
    string TemplateKey,
    string? DedupKey,
    string By,
    IReadOnlyDictionary<string, string>? Variables = null);

/// <summary>A message written to the outbox.</summary>
/// <param name="MessageId">Its id (<c>GET /api/v1/messages/{id}</c>).</param>
/// <param name="Status"><c>pending</c>, or <c>suppressed</c> with <paramref name="SuppressionReason"/>.</param>
/// <param name="SuppressionReason">Why it will not be sent.</param>
/// <param name="Duplicate">True when an earlier call with the same deduplication key wrote it.</param>
public sealed record QueuedMessage(Guid MessageId, string Status, string? SuppressionReason, bool Duplicate);

/// <summary>A message to a customer was written (queued or suppressed): the case's timeline shows it.</summary>
public sealed record CustomerMessageQueuedIntegrationEvent(
    Guid MessageId,
    Guid? CaseId,
    Guid? CustomerId,
    string TemplateKey,
    string Subject,
    string Status,
    string? SuppressionReason,
    string By) : IntegrationEvent;

/// <summary>A message was accepted by the SMTP server or webhook receiver; <paramref name="ToCustomer"/> false for staff notifications.</summary>
public sealed record MessageDeliveredIntegrationEvent(
    Guid MessageId,
    Guid? CaseId,
    Guid? CustomerId,
    string TemplateKey,
    string Channel,
    DateTimeOffset SentAt,
    bool ToCustomer) : IntegrationEvent;

/// <summary>A message failed every attempt and waits in the dead letter state for an admin retry; <paramref name="ToCustomer"/> false for staff notifications.</summary>
public sealed record MessageDeadLetteredIntegrationEvent(
    Guid MessageId,
    Guid? CaseId,
    Guid? CustomerId,
    string TemplateKey,
    int Attempts,
    string LastError,
    bool ToCustomer) : IntegrationEvent;

/// <summary>
/// The loop of a case was closed with its customer: an improvement that followed from it was announced to them
/// (Insights counts the case as communicated; the case's timeline shows it).
/// </summary>
public sealed record CaseCommunicatedIntegrationEvent(
    Guid CaseId,
    Guid CustomerId,
    Guid ImprovementId,
    string ImprovementTitle,
    Guid MessageId,
    DateTimeOffset At) : IntegrationEvent;

/// <summary>
/// A customer answered a loop's follow-up survey (<c>/s/{token}</c>) and the answer was recorded as new feedback
/// (<paramref name="FeedbackId"/>), linked to the case and the loop instance. Published once per survey step, in the
/// transaction that marks it answered; the workflow runtime resumes the waiting step with it.
/// </summary>
/// <param name="CaseId">The case the loop runs for.</param>
/// <param name="CustomerId">Who answered.</param>
/// <param name="FeedbackId">The follow-up feedback the answer became.</param>
/// <param name="InstanceId">The loop instance that sent the survey.</param>
/// <param name="ActivityId">The SendSurvey step's activity id in that instance's definition.</param>
/// <param name="Score">0–10.</param>
/// <param name="Comment">What the customer wrote, if anything.</param>
/// <param name="AnsweredAt">When the answer was recorded.</param>
public sealed record SurveyAnsweredIntegrationEvent(
    Guid CaseId,
    Guid CustomerId,
    Guid FeedbackId,
    Guid InstanceId,
    string ActivityId,
    int Score,
    string? Comment,
    DateTimeOffset AnsweredAt) : IntegrationEvent;
