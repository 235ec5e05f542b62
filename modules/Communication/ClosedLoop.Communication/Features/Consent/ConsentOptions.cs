namespace ClosedLoop.Communication.Features.Consent;

/// <summary>
/// Section <c>Communication:Consent</c>: what a customer who never said anything has agreed to, how often they may be
/// written to for marketing, and how unsubscribe links are built and signed.
/// </summary>
internal sealed class ConsentOptions
{
    public const string Section = "Communication:Consent";

    /// <summary>The least a signing key may hold: HMAC-SHA256's block-size guidance says a key shorter than its output is weak.</summary>
    public const int MinSigningKeyBytes = 32;

    /// <summary>
    /// Marketing consent of a customer without a recorded choice. True is the opt-out model (customers who gave
    /// feedback hear about improvements until they unsubscribe); deployments in regions that require opt-in
    /// (e.g. under GDPR/ePrivacy for cold contacts) set false, and only customers recorded as consenting are written to.
    /// </summary>
    public bool MarketingByDefault { get; set; } = true;

    /// <summary>Transactional consent (answers about their own feedback and case) without a recorded choice.</summary>
    public bool TransactionalByDefault { get; set; } = true;

    /// <summary>How many marketing messages one customer may get in a sliding window.</summary>
    public FrequencyCapOptions FrequencyCap { get; set; } = new();

    /// <summary>How long an unsubscribe link works: long enough for an old email, short enough that a leaked one goes stale.</summary>
    public TimeSpan UnsubscribeLinkLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Where customers reach this installation; links are <c>{PublicBaseUrl}/u/{token}</c>.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>
    /// Base64 of at least 32 bytes. Set it to share one key across installations or rotate it deliberately; without
    /// it, a random key is generated once and kept in the module's <c>settings</c> table, so every replica signs alike.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>The configured key's bytes, or null when none is configured (or it is not valid base64).</summary>
    public byte[]? ConfiguredKey()
    {
        if (string.IsNullOrWhiteSpace(SigningKey))
        {
            return null;
        }

        var buffer = new byte[SigningKey.Length];
        return Convert.TryFromBase64String(SigningKey.Trim(), buffer, out var written) ? buffer[..written] : null;
    }

    /// <summary>What is wrong with these settings, for start-up validation; empty when nothing is.</summary>
    public IEnumerable<string> Problems()
    {
        if (FrequencyCap.MaxMessages < 1)
        {
            yield return $"{Section}:FrequencyCap:MaxMessages must be at least 1 (a large number effectively lifts the cap).";
        }

        if (FrequencyCap.Window <= TimeSpan.Zero)
        {
            yield return $"{Section}:FrequencyCap:Window must be positive, e.g. 7.00:00:00.";
        }

        if (UnsubscribeLinkLifetime <= TimeSpan.Zero)
        {
            yield return $"{Section}:UnsubscribeLinkLifetime must be positive, e.g. 90.00:00:00.";
        }

        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            yield return $"{Section}:PublicBaseUrl must be an absolute http(s) URL without query or fragment, e.g. https://feedback.example.com.";
        }

        if (!string.IsNullOrWhiteSpace(SigningKey) && (ConfiguredKey() is not { } key || key.Length < MinSigningKeyBytes))
        {
            yield return $"{Section}:SigningKey must be base64 of at least {MinSigningKeyBytes} random bytes (e.g. openssl rand -base64 32), or absent.";
        }
    }
}

/// <summary>The marketing frequency cap: at most <see cref="MaxMessages"/> per <see cref="Window"/>.</summary>
internal sealed class FrequencyCapOptions
{
    public int MaxMessages { get; set; } = 3;

    public TimeSpan Window { get; set; } = TimeSpan.FromDays(7);
}
