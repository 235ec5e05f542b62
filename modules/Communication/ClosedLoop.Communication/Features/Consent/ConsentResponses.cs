using ClosedLoop.Web;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>A change of consent: each purpose given is set, one left out (or null) stays as it is; at least one is required.</summary>
/// <param name="Transactional">Messages about the customer's own feedback and case (acknowledgement, resolution, survey).</param>
/// <param name="Marketing">Thanks with a referral ask, nurture, improvement announcements; capped in frequency.</param>
internal sealed record ConsentChangeRequest(bool? Transactional, bool? Marketing);

/// <summary>A customer's consent as it applies now.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="Transactional">Whether transactional messages may be sent.</param>
/// <param name="Marketing">Whether marketing messages may be sent.</param>
/// <param name="UpdatedAt">When it was last recorded; null for the defaults.</param>
/// <param name="UpdatedBy">Who recorded it: an API caller, or <c>unsubscribe-link</c>; null for the defaults.</param>
/// <param name="Source"><c>recorded</c> (the customer's or an admin's choice) or <c>default</c> (the configured defaults).</param>
internal sealed record ConsentResponse(Guid CustomerId, bool Transactional, bool Marketing, DateTimeOffset? UpdatedAt, string? UpdatedBy, string Source)
    : IAuditDetails
{
    /// <summary>Whether the call changed anything; a repeat is not audited.</summary>
    internal bool Changed { get; init; }

    string? IAuditDetails.AuditDetails => $"transactional={(Transactional ? "true" : "false")}, marketing={(Marketing ? "true" : "false")}";

    bool IAuditDetails.AuditChanged => Changed;

    public static ConsentResponse Of(EffectiveConsent consent) => new(
        consent.CustomerId, consent.Transactional, consent.Marketing, consent.UpdatedAt, consent.UpdatedBy, consent.Recorded ? "recorded" : "default")
    {
        Changed = consent.Changed,
    };
}
