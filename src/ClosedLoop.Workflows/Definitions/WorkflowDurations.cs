using System.Globalization;

namespace ClosedLoop.Workflows.Definitions;

/// <summary>Durations in definitions (<see cref="InputType.TimeSpan"/>): one reading for validation, the runtime and handlers.</summary>
public static class WorkflowDurations
{
    private static readonly string[] LiteralFormats = [@"hh\:mm\:ss", @"d\.hh\:mm\:ss"];

    /// <summary>A literal as admins write it: "hh:mm:ss" or "d.hh:mm:ss", nothing else (no culture, no negative durations).</summary>
    public static bool TryParseLiteral(string text, out TimeSpan value) =>
        TimeSpan.TryParseExact(text, LiteralFormats, CultureInfo.InvariantCulture, out value);

    /// <summary>A value at run time: a literal, or what an expression of type TimeSpan produced (its invariant "c" form, which may carry fractions); never negative.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        return text is not null
            && (TryParseLiteral(text, out value) || TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value))
            && value >= TimeSpan.Zero;
    }
}
