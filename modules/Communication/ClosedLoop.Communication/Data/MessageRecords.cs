namespace ClosedLoop.Communication.Data;

/// <summary>How a message travels.</summary>
internal enum MessageChannel
{
    Email,
    Webhook,
}

/// <summary>
/// Why a customer may be written to: transactional messages answer their own feedback or case; marketing ones
/// (thanks with a referral ask, nurture, announcements) need marketing consent and count against the frequency cap.
/// Internal messages go to staff and need neither.
/// </summary>
internal enum MessagePurpose
{
    Transactional,
    Marketing,
    Internal,
}

/// <summary>Where a message is on its way out.</summary>
internal enum MessageStatus
{
    /// <summary>Written, waiting for its first attempt.</summary>
    Pending,

    /// <summary>An attempt failed; another follows at <see cref="MessageRecord.NextAttemptAt"/>.</summary>
    Retrying,

    /// <summary>The SMTP server or webhook receiver accepted it.</summary>
    Sent,

    /// <summary>Every attempt failed; an admin retry sends it again.</summary>
    DeadLettered,

    /// <summary>Not sent, on purpose (consent, erasure, frequency cap, no address): see the reason.</summary>
    Suppressed,
}

/// <summary>
/// One message to one recipient: rendered when it was written (in the transaction that caused it), delivered by the
/// dispatcher. Its <see cref="DedupKey"/> makes a second write of the same cause a no-op.
/// </summary>
internal sealed class MessageRecord
{
    public const int MaxDedupKeyLength = 200;
    public const int MaxAddressLength = 320;
    public const int MaxNameLength = 200;
    public const int MaxSubjectLength = 1000;
    public const int MaxErrorLength = 2000;
    public const int MaxReasonLength = 64;

    public Guid Id { get; set; }

    /// <summary>What caused it, e.g. <c>case:{id}:assigned:{version}:{member}</c>: unique, so a redelivered cause writes nothing.</summary>
    public required string DedupKey { get; set; }

    public MessageChannel Channel { get; set; }

    public MessagePurpose Purpose { get; set; }

    public required string TemplateKey { get; set; }

    public int TemplateVersion { get; set; }

    public required string Language { get; set; }

    public Guid? CustomerId { get; set; }

    public Guid? CaseId { get; set; }

    public Guid? ImprovementId { get; set; }

    public Guid? WebhookEndpointId { get; set; }

    /// <summary>The email address (email) or the endpoint's URL (webhook); null once erased or when there was none.</summary>
    public string? RecipientAddress { get; set; }

    public string? RecipientName { get; set; }

    public string? Subject { get; set; }

    public string? HtmlBody { get; set; }

    public string? TextBody { get; set; }

    /// <summary>A customer email's signed unsubscribe link (also its <c>List-Unsubscribe</c> header); null for internal messages and webhooks.</summary>
    public string? UnsubscribeUrl { get; set; }

    /// <summary>A webhook's JSON body, exactly as signed and sent.</summary>
    public string? Payload { get; set; }

    /// <summary>The <c>Message-ID</c> header (email) or <c>webhook-id</c> (webhook): the same on every attempt.</summary>
    public required string ExternalId { get; set; }

    public MessageStatus Status { get; set; }

    /// <summary>Why it was suppressed: <c>customer-erased</c>, <c>no-consent:marketing</c>, <c>frequency-cap</c>, <c>no-address</c>…</summary>
    public string? SuppressionReason { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>While a dispatcher holds it; a lapsed lease lets another take it over.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public Guid? LockToken { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>One delivery attempt of a message.</summary>
internal sealed class MessageAttemptRecord
{
    public Guid MessageId { get; set; }

    public int Number { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public double DurationMs { get; set; }

    public bool Succeeded { get; set; }

    public string? Error { get; set; }
}

/// <summary>A customer's consent, where it differs from the configured defaults (no row: the defaults).</summary>
internal sealed class ConsentRecord
{
    public Guid CustomerId { get; set; }

    public bool Transactional { get; set; } = true;

    public bool Marketing { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Who changed it: an API caller, or <c>unsubscribe-link</c>.</summary>
    public required string UpdatedBy { get; set; }
}

/// <summary>An admin-configured receiver of signed webhooks.</summary>
internal sealed class WebhookEndpointRecord
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required string Url { get; set; }

    /// <summary><c>whsec_</c> + base64 of the HMAC key (Standard Webhooks).</summary>
    public required string Secret { get; set; }

    /// <summary>Template keys it receives, comma-separated, or <c>*</c> for every internal notification.</summary>
    public required string Events { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }
}

/// <summary>A change the company made, to tell the customers who asked for it.</summary>
internal sealed class ImprovementRecord
{
    public Guid Id { get; set; }

    public required string Title { get; set; }

    public required string Description { get; set; }

    /// <summary>JSON array of topic names.</summary>
    public required string Topics { get; set; }

    /// <summary>JSON array of case ids.</summary>
    public required string LinkedCases { get; set; }

    public DateOnly EffectiveDate { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }
}

/// <summary>A customer an improvement was announced to: the key makes it once per customer, however often it is announced.</summary>
internal sealed class ImprovementRecipientRecord
{
    public Guid ImprovementId { get; set; }

    public Guid CustomerId { get; set; }

    public Guid MessageId { get; set; }

    public Guid AnnouncementId { get; set; }
}

/// <summary>Where an announcement is.</summary>
internal enum AnnouncementStatus
{
    Running,
    Completed,
    Failed,
}

/// <summary>One call of announce: the window it covers and how far it got.</summary>
internal sealed class AnnouncementRecord
{
    public Guid Id { get; set; }

    public Guid ImprovementId { get; set; }

    public DateTimeOffset From { get; set; }

    public DateTimeOffset To { get; set; }

    public AnnouncementStatus Status { get; set; }

    /// <summary>The last customer handled (they are walked in order of external id), so a restarted worker goes on from there.</summary>
    public string? Cursor { get; set; }

    public int Matched { get; set; }

    public int Queued { get; set; }

    public int AlreadyReached { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }
}

/// <summary>A value the module generates once per installation (the link-signing key), unless configured.</summary>
internal sealed class SettingRecord
{
    public required string Key { get; set; }

    public required string Value { get; set; }
}
