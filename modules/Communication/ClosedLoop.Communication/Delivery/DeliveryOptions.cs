namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// How the dispatcher delivers messages, section <c>Communication:Delivery</c>. The defaults suit one SMTP relay and a
/// handful of webhook receivers; every value is checked at start-up, so a typo stops the host instead of the mail.
/// </summary>
internal sealed class DeliveryOptions
{
    public const string Section = "Communication:Delivery";

    /// <summary>Turns the dispatcher off in this process (e.g. a replica that only serves the API); messages wait for one that runs it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Failed attempts after which a message is dead-lettered (an admin retry grants another round of as many).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The backoff before the second attempt; it doubles with each failure, up to <see cref="MaxDelay"/>, with full jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a claim keeps other dispatchers off a message. Longer than a batch's sends take, or a slow batch is
    /// claimed again by another replica and sent twice; a crashed dispatcher's messages wait this long.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Messages claimed at a time.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Messages sent in parallel (also the most SMTP connections kept open).</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>How often the dispatcher looks for due messages when no write woke it (retries come due this way).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Why the options cannot be used, or null when they can.</summary>
    public string? Problem() => this switch
    {
        { MaxAttempts: < 1 or > 100 } => "Communication:Delivery:MaxAttempts must be between 1 and 100.",
        { BatchSize: < 1 or > 1000 } => "Communication:Delivery:BatchSize must be between 1 and 1000.",
        { Concurrency: < 1 or > 64 } => "Communication:Delivery:Concurrency must be between 1 and 64.",
        _ when BaseDelay <= TimeSpan.Zero || MaxDelay < BaseDelay => "Communication:Delivery:BaseDelay must be positive and at most MaxDelay.",
        _ when Lease < TimeSpan.FromSeconds(1) => "Communication:Delivery:Lease must be at least one second.",
        _ when PollInterval <= TimeSpan.Zero => "Communication:Delivery:PollInterval must be positive.",
        _ => null,
    };
}
