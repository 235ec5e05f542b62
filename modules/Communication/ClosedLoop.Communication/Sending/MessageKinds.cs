using ClosedLoop.Communication.Data;

namespace ClosedLoop.Communication.Sending;

/// <summary>
/// Who a template is for and on what grounds: the seeded customer templates that answer a customer's own feedback or
/// case are transactional; thanks, nurture, survey invitations and announcements are not (marketing consent, frequency
/// cap); the internal ones go to staff. A template an admin adds under a new key counts as a non-transactional
/// customer message: the stricter rule, until a key says otherwise.
/// </summary>
internal static class MessageKinds
{
    private static readonly Dictionary<string, MessagePurpose> Known = new(StringComparer.Ordinal)
    {
        ["customer-acknowledgement"] = MessagePurpose.Transactional,
        ["resolution"] = MessagePurpose.Transactional,
        ["survey-invitation"] = MessagePurpose.Marketing,
        ["promoter-thank-you"] = MessagePurpose.Marketing,
        ["referral-ask"] = MessagePurpose.Marketing,
        ["passive-nurture"] = MessagePurpose.Marketing,
        ["improvement-announcement"] = MessagePurpose.Marketing,
        ["case-assigned"] = MessagePurpose.Internal,
        ["escalation-notice"] = MessagePurpose.Internal,
        ["sla-breach-warning"] = MessagePurpose.Internal,
        ["weekly-team-digest"] = MessagePurpose.Internal,
    };

    public static MessagePurpose PurposeOf(string templateKey) =>
        Known.TryGetValue(templateKey, out var purpose) ? purpose : MessagePurpose.Marketing;

    public static bool IsInternal(string templateKey) => PurposeOf(templateKey) == MessagePurpose.Internal;
}
