using ClosedLoop.Feedback.Ingest;

namespace ClosedLoop.Feedback.Imports;

/// <summary>One row of an upload: the item it describes, or why it could not become one.</summary>
/// <param name="Line">The line the row starts on.</param>
/// <param name="Input">The item, when the row could be read and converted.</param>
/// <param name="Errors">Field errors found while converting (e.g. a score that is not a number).</param>
/// <param name="Message">Why the row could not be read at all.</param>
internal sealed record ImportRow(long Line, FeedbackInput? Input, IDictionary<string, string[]>? Errors, string? Message)
{
    public static ImportRow Valid(long line, FeedbackInput input) => new(line, input, null, null);

    public static ImportRow Invalid(long line, IDictionary<string, string[]> errors) => new(line, null, errors, null);

    public static ImportRow Malformed(long line, string message) => new(line, null, null, message);
}

/// <summary>The defaults an upload gives rows that name no source or channel.</summary>
internal sealed record ImportDefaults(string Source, string Channel)
{
    public FeedbackInput Apply(FeedbackInput input) => input with
    {
        Source = string.IsNullOrWhiteSpace(input.Source) ? Source : input.Source,
        Channel = string.IsNullOrWhiteSpace(input.Channel) ? Channel : input.Channel,
    };
}
