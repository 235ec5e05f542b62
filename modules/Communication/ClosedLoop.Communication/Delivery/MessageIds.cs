namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// The <c>Message-ID</c> of an email, made from the row's <c>ExternalId</c> alone, so every attempt (and a resend after
/// a crash) carries the same one and receivers can tell a duplicate. An id with its own domain (<c>x@host</c>) is used as
/// it is; a bare one gets the configured domain.
/// </summary>
internal static class MessageIds
{
    /// <summary>The id without angle brackets, as MimeKit takes it.</summary>
    public static string For(string externalId, string domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(externalId);
        var id = externalId.Trim().TrimStart('<').TrimEnd('>');
        return id.Contains('@', StringComparison.Ordinal) ? id : $"{id}@{domain}";
    }
}
