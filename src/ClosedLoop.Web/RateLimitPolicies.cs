namespace ClosedLoop.Web;

/// <summary>Named rate-limit policies the host defines and modules put on their routes.</summary>
public static class RateLimitPolicies
{
    /// <summary>Feedback ingest: a token bucket per caller.</summary>
    public const string Ingest = "ingest";

    /// <summary>Unauthenticated public links (unsubscribe, survey answers): a window per client address.</summary>
    public const string Public = "public";
}
