namespace ClosedLoop.Communication.Delivery;

/// <summary>How webhooks are sent, section <c>Communication:Webhooks</c>.</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Communication:Webhooks";

    /// <summary>
    /// Lets endpoints point at loopback, private, link-local and other internal addresses. For local development and
    /// tests only: in production it would let an admin key reach the metadata service or the database from inside.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How long a receiver has to answer before the attempt counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public string? Problem() => Timeout > TimeSpan.Zero && Timeout <= TimeSpan.FromMinutes(5)
        ? null
        : "Communication:Webhooks:Timeout must be positive and at most 5 minutes.";
}
