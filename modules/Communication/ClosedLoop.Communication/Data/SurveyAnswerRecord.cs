namespace ClosedLoop.Communication.Data;

/// <summary>
/// A loop's survey step that was answered: at most one per (instance, activity), so a link answers once however often
/// it is posted. The answer itself is the follow-up feedback (<see cref="FeedbackId"/>) in the Feedback module.
/// </summary>
internal sealed class SurveyAnswerRecord
{
    public const int MaxActivityIdLength = 200;

    public Guid Id { get; set; }

    public Guid InstanceId { get; set; }

    public required string ActivityId { get; set; }

    public Guid CaseId { get; set; }

    public Guid CustomerId { get; set; }

    public Guid FeedbackId { get; set; }

    public int Score { get; set; }

    public DateTimeOffset AnsweredAt { get; set; }
}
