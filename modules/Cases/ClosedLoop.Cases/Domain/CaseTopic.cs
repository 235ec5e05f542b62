namespace ClosedLoop.Cases.Domain;

/// <summary>A topic of the case's feedback (lower case), so that lists filter by topic through an index.</summary>
internal sealed class CaseTopic
{
    public const int MaxLength = 100;

    /// <summary>
    /// The most topics a case keeps (its feedback keeps them all). Lists join a case's topics in the database, and
    /// SQL Server's STRING_AGG over nvarchar(100) fails past 4,000 characters: 32 topics of 100 are 3,231.
    /// </summary>
    public const int MaxPerCase = 32;

    /// <summary>
    /// Joins a case's topics when a list reads them with its page (one statement, not two). A control character,
    /// which <see cref="Normalize"/> keeps out of every topic, so the joined text splits back exactly.
    /// </summary>
    public const string Separator = "\u001f";

    public Guid CaseId { get; set; }

    public required string Topic { get; set; }

    /// <summary>
    /// A topic as stored and as filtered on: lower case, without control characters or surrounding blanks, at most
    /// <see cref="MaxLength"/> characters; null when nothing is left.
    /// </summary>
    public static string? Normalize(string? topic)
    {
        if (topic is null)
        {
            return null;
        }

        var text = topic.Any(char.IsControl) ? string.Concat(topic.Where(c => !char.IsControl(c))) : topic;
        text = text.Trim().ToLowerInvariant();
        return text.Length == 0 ? null : text.Length > MaxLength ? text[..MaxLength].TrimEnd() : text;
    }

    /// <summary>A decision's topics as a case keeps them: normalized, without repeats, the first <see cref="MaxPerCase"/> in the decision's order.</summary>
    public static IEnumerable<string> Of(IEnumerable<string> decided) =>
        decided.Select(Normalize).OfType<string>().Distinct(StringComparer.Ordinal).Take(MaxPerCase);

    /// <summary>The topics of a list row, joined by <see cref="Separator"/> in the database, in ordinal order.</summary>
    public static string[] Split(string? joined)
    {
        if (string.IsNullOrEmpty(joined))
        {
            return [];
        }

        var topics = joined.Split(Separator);
        Array.Sort(topics, StringComparer.Ordinal);
        return topics;
    }
}
