using ClosedLoop.Cases.Contracts;

namespace ClosedLoop.Feedback.Domain;

/// <summary>
/// One of a customer's cases as far as who may see it: this module's copy of the Cases module's
/// <see cref="CaseAccessChangedIntegrationEvent"/>, kept at the highest version seen. An agent sees a customer (and
/// all of that customer's feedback) when it sees one of these rows: a member of <see cref="Team"/> at
/// <see cref="Level"/> or higher.
/// </summary>
internal sealed class CustomerCase
{
    public Guid CaseId { get; set; }

    public Guid CustomerId { get; set; }

    /// <summary>The case's team key; null while it has none (no agent sees it then).</summary>
    public string? Team { get; set; }

    public EscalationLevel Level { get; set; }

    /// <summary>The case's version this row reflects.</summary>
    public int Version { get; set; }
}
