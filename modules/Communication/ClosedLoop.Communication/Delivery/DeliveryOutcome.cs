using ClosedLoop.Communication.Data;

namespace ClosedLoop.Communication.Delivery;

/// <summary>How one attempt at a claimed message ended.</summary>
internal enum DeliveryResult
{
    Sent,
    Failed,

    /// <summary>Not attempted, and never will be as things stand (its webhook endpoint is gone or disabled; no address).</summary>
    Suppressed,
}

/// <summary>One attempt's result, on its way to the database.</summary>
/// <param name="Message">The row as claimed (its attempt count before this attempt).</param>
/// <param name="Result">What happened.</param>
/// <param name="StartedAt">When the attempt began.</param>
/// <param name="DurationMs">How long it took.</param>
/// <param name="Detail">The error (failed) or the suppression reason (suppressed).</param>
internal sealed record DeliveryOutcome(MessageRecord Message, DeliveryResult Result, DateTimeOffset StartedAt, double DurationMs, string? Detail);
