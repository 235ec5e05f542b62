namespace ClosedLoop.Cases.Domain;

/// <summary>A topic of the case's feedback (lower case), so that lists filter by topic through an index.</summary>
internal sealed class CaseTopic
{
    public const int MaxLength = 100;

    public Guid CaseId { get; set; }

    public required string Topic { get; set; }
}
