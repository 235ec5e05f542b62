namespace ClosedLoop.Feedback.Contracts;

/// <summary>
/// Who the customers are and what they said, for modules that write to them (Communication), in-process and read-only.
/// </summary>
public interface ICustomerDirectory
{
    /// <summary>A customer's contact details, or null when there is none.</summary>
    Task<CustomerContact?> FindAsync(Guid customerId, CancellationToken cancellationToken = default);

    /// <summary>The contact details of the customers among <paramref name="customerIds"/> that exist.</summary>
    Task<IReadOnlyList<CustomerContact>> FindManyAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken cancellationToken = default);

    /// <summary>A piece of feedback as a message may quote it, or null when there is none.</summary>
    Task<FeedbackSummary?> FindFeedbackAsync(Guid feedbackId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The customers (not erased) who gave feedback tagged with any of <paramref name="topics"/> and submitted in
    /// [<paramref name="from"/>, <paramref name="to"/>), in order of external id after <paramref name="afterExternalId"/>,
    /// at most <paramref name="limit"/>: a page of a walk that may cover millions of items.
    /// </summary>
    Task<IReadOnlyList<CustomerContact>> CustomersWithFeedbackOnAsync(
        IReadOnlyCollection<string> topics,
        DateTimeOffset from,
        DateTimeOffset to,
        string? afterExternalId,
        int limit,
        CancellationToken cancellationToken = default);
}

/// <summary>A customer as a message addresses them; an erased customer has nothing but ids.</summary>
public sealed record CustomerContact(
    Guid Id,
    string ExternalId,
    string? Email,
    string? Name,
    string? Language,
    string? Region,
    string? Segment,
    bool Erased);

/// <summary>A piece of feedback as a message may quote it.</summary>
public sealed record FeedbackSummary(
    Guid Id,
    Guid CustomerId,
    string Source,
    string Channel,
    DateTimeOffset SubmittedAt,
    int? Score,
    NpsCategory Category,
    string? Comment,
    IReadOnlyList<string> Topics);
