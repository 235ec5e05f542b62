namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// When a failed message goes again, and when it gives up. Exponential with full jitter (a random delay between zero
/// and BaseDelay·2^(n-1), capped at MaxDelay), so messages that failed together against one outage do not come back
/// together and knock it over again.
/// </summary>
internal static class Backoff
{
    /// <summary>
    /// Whether the attempt that brought the count to <paramref name="attempts"/> is the last of its round. Attempt
    /// numbers never restart (they key the history), so an admin retry's new round ends at the next multiple.
    /// </summary>
    public static bool GivesUp(int attempts, int maxAttempts) => attempts % maxAttempts == 0;

    /// <summary>The wait after the <paramref name="attempts"/>-th attempt failed.</summary>
    public static TimeSpan Delay(int attempts, DeliveryOptions options, Random random)
    {
        var inRound = ((attempts - 1) % options.MaxAttempts) + 1;
        var ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, inRound - 1));
        return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
    }
}
