namespace ClosedLoop.Cases.Domain.Sla;

/// <summary>Checks what <see cref="BusinessCalendar.Create"/> is given, naming each error after the request field.</summary>
internal static class CalendarValidation
{
    public const int MaxIntervals = 7 * 4;
    public const int MaxHolidays = 1000;

    private static readonly TimeSpan EndOfDay = TimeSpan.FromHours(24);

    public static TimeZoneInfo? Zone(string? timeZoneId, IDictionary<string, List<string>> errors)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId))
        {
            return Fail<TimeZoneInfo>(errors, "timeZone", "timeZone is required (an IANA id such as 'Europe/Berlin').");
        }

        // Windows ids resolve too on most hosts; only IANA ids are promised, and stored, so reject the rest.
        return TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) && zone.HasIanaId
            ? zone
            : Fail<TimeZoneInfo>(errors, "timeZone", $"timeZone '{timeZoneId}' is not a known IANA time zone id (such as 'Europe/Berlin').");
    }

    /// <summary>The intervals per <see cref="DayOfWeek"/>, sorted; no hours at all means every day round the clock.</summary>
    public static OpeningHours[][]? Week(IReadOnlyList<OpeningHours> hours, IDictionary<string, List<string>> errors)
    {
        if (hours.Count == 0)
        {
            return RoundTheClock();
        }

        var valid = true;
        if (hours.Count > MaxIntervals)
        {
            valid = Fail(errors, "businessHours", $"businessHours must have at most {MaxIntervals} intervals.");
        }

        var wellFormed = new List<(int Index, OpeningHours Hours)>();
        for (var i = 0; i < hours.Count; i++)
        {
            var wellFormedHere = true;
            foreach (var message in Problems(hours[i]))
            {
                wellFormedHere = Fail(errors, $"businessHours[{i}]", message);
            }

            if (wellFormedHere)
            {
                wellFormed.Add((i, hours[i]));
            }
        }

        valid &= wellFormed.Count == hours.Count;
        if (wellFormed.Count == 0)
        {
            return Fail<OpeningHours[][]>(errors, "businessHours", "businessHours has no open time in the week; leave it empty for round the clock.");
        }

        foreach (var day in wellFormed.GroupBy(h => h.Hours.Day))
        {
            var sorted = day.OrderBy(h => h.Hours.Open).ThenBy(h => h.Index).ToList();
            var furthest = sorted[0];
            foreach (var (index, interval) in sorted.Skip(1))
            {
                if (interval.Open < furthest.Hours.Close)
                {
                    valid = Fail(errors, $"businessHours[{index}]", $"businessHours[{index}] overlaps businessHours[{furthest.Index}] on {day.Key}.");
                }

                if (interval.Close > furthest.Hours.Close)
                {
                    furthest = (index, interval);
                }
            }
        }

        return valid
            ? [.. Enum.GetValues<DayOfWeek>().Order().Select(day => hours.Where(h => h.Day == day).OrderBy(h => h.Open).ToArray())]
            : null;
    }

    public static OpeningHours[][] RoundTheClock() =>
        [.. Enum.GetValues<DayOfWeek>().Order().Select(day => new[] { new OpeningHours(day, TimeSpan.Zero, EndOfDay) })];

    /// <summary>The distinct holidays, sorted so that the next one after a date is a binary search away.</summary>
    public static DateOnly[]? Holidays(IReadOnlyCollection<DateOnly> holidays, IDictionary<string, List<string>> errors)
    {
        var valid = true;
        if (holidays.Count > MaxHolidays)
        {
            valid = Fail(errors, "holidays", $"holidays must have at most {MaxHolidays} dates.");
        }

        var seen = new HashSet<DateOnly>();
        var index = 0;
        foreach (var date in holidays)
        {
            if (!seen.Add(date))
            {
                valid = Fail(errors, $"holidays[{index}]", $"holidays[{index}] repeats {date:yyyy-MM-dd}.");
            }

            index++;
        }

        return valid ? [.. seen.Order()] : null;
    }

    private static IEnumerable<string> Problems(OpeningHours? hours)
    {
        if (hours is null)
        {
            yield return "an opening interval is required.";
            yield break;
        }

        if (!Enum.IsDefined(hours.Day))
        {
            yield return "day must be a day of the week.";
        }

        if (hours.Open < TimeSpan.Zero || hours.Open > EndOfDay)
        {
            yield return "open must be between 00:00 and 24:00.";
        }

        if (hours.Close < TimeSpan.Zero || hours.Close > EndOfDay)
        {
            yield return "close must be between 00:00 and 24:00.";
        }

        if (hours.Close <= hours.Open)
        {
            yield return "close must be after open.";
        }
    }

    /// <summary>Adds to the field's messages and returns false, so that <c>valid = Fail(...)</c> reads as it works.</summary>
    private static bool Fail(IDictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var messages))
        {
            errors[field] = messages = [];
        }

        messages.Add(message);
        return false;
    }

    private static T? Fail<T>(IDictionary<string, List<string>> errors, string field, string message)
        where T : class
    {
        Fail(errors, field, message);
        return null;
    }
}
