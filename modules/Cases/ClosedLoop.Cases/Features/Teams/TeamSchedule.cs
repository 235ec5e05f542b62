using System.Globalization;
using System.Text.Json;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Domain.Sla;

namespace ClosedLoop.Cases.Features.Teams;

/// <summary>Opening hours on one weekday, local time: <c>{ "day": "monday", "open": "09:00", "close": "17:30" }</c> (<c>24:00</c> closes at midnight).</summary>
/// <param name="Day">monday … sunday.</param>
/// <param name="Open">HH:mm, local.</param>
/// <param name="Close">HH:mm, local, after open; 24:00 for midnight.</param>
internal sealed record OpeningHoursDto(string Day, string Open, string Close);

/// <summary>Reads and writes a team's stored schedule, and builds its calendar.</summary>
internal static class TeamSchedule
{
    private static readonly Dictionary<Guid, (int Version, BusinessCalendar Calendar)> Cache = [];
    private static readonly Lock Gate = new();

    /// <summary>The team's calendar (cached per team version: building one resolves a time zone); 24/7 UTC without a team.</summary>
    public static BusinessCalendar CalendarOf(Team? team)
    {
        if (team is null)
        {
            return BusinessCalendar.Always;
        }

        lock (Gate)
        {
            if (Cache.TryGetValue(team.Id, out var cached) && cached.Version == team.Version)
            {
                return cached.Calendar;
            }
        }

        var hours = JsonSerializer.Deserialize<List<OpeningHoursDto>>(team.BusinessHours, Names.Json) ?? [];
        var holidays = JsonSerializer.Deserialize<List<DateOnly>>(team.Holidays, Names.Json) ?? [];
        var errors = new Dictionary<string, List<string>>();
        var parsed = Parse(hours, errors);

        // Stored schedules were validated on save; should a time zone vanish from the OS, count round the clock rather than fail.
        var calendar = parsed is null ? BusinessCalendar.Always : BusinessCalendar.Create(team.TimeZone, parsed, holidays, errors) ?? BusinessCalendar.Always;
        lock (Gate)
        {
            Cache[team.Id] = (team.Version, calendar);
        }

        return calendar;
    }

    public static List<OpeningHours>? Parse(IReadOnlyList<OpeningHoursDto> hours, IDictionary<string, List<string>> errors)
    {
        var parsed = new List<OpeningHours>();
        for (var i = 0; i < hours.Count; i++)
        {
            var h = hours[i];
            var field = $"businessHours[{i}]";
            if (!Enum.TryParse<DayOfWeek>(h.Day, ignoreCase: true, out var day) || int.TryParse(h.Day, out _))
            {
                Add(errors, field, h.Day?.Length > 20 ? "day must be monday … sunday." : $"day '{h.Day}' must be monday … sunday.");
                continue;
            }

            var open = Time(h.Open);
            var close = Time(h.Close);
            if (open is null || close is null)
            {
                Add(errors, field, "open and close must be HH:mm (00:00 … 24:00).");
                continue;
            }

            parsed.Add(new OpeningHours(day, open.Value, close.Value));
        }

        return errors.Count == 0 ? parsed : null;
    }

    public static string Format(TimeSpan time) => time == TimeSpan.FromHours(24) ? "24:00" : time.ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static TimeSpan? Time(string? text)
    {
        if (text == "24:00")
        {
            return TimeSpan.FromHours(24);
        }

        return TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t.ToTimeSpan() : null;
    }

    private static void Add(IDictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }
}
