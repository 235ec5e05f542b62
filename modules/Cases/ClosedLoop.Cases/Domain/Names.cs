using System.Text.Json;
using System.Text.Json.Serialization;
using ClosedLoop.Cases.Contracts;

namespace ClosedLoop.Cases.Domain;

/// <summary>How statuses, priorities and levels are spelled in the API (camelCase, like every enum it returns).</summary>
internal static class Names
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Of<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>Parses a camelCase (or any-case) name; numbers are not names.</summary>
    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum
    {
        value = default;
        return !string.IsNullOrWhiteSpace(text)
            && !char.IsAsciiDigit(text.Trim()[0])
            && Enum.TryParse(text.Trim().Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out value)
            && Enum.IsDefined(value);
    }

    public static string List<T>()
        where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(Of));

    public static IReadOnlyList<string> All<T>()
        where T : struct, Enum => [.. Enum.GetValues<T>().Select(Of)];

    public static CasePriority? Priority(string? text) => TryParse<CasePriority>(text, out var p) ? p : null;

    public static EscalationLevel? Level(string? text) => TryParse<EscalationLevel>(text, out var l) ? l : null;
}
