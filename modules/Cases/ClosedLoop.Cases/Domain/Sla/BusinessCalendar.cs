namespace ClosedLoop.Cases.Domain.Sla;

/// <summary>
/// The hours a team is open, in its own time zone; SLA targets are counted in this open time. Open time is
/// real elapsed time inside the local opening intervals, holidays are local dates closed all day
/// (docs/decisions/0017-business-hours-calendar.md). Results are UTC.
/// </summary>
internal sealed class BusinessCalendar
{
    // Every step of a scan advances at least one date, so this bounds the work of a call as well as its reach.
    private const int MaxScannedDays = 36_525;

    // Dates one away from DateOnly's ends keep local-to-UTC arithmetic inside DateTime's range (offsets are at most 14 h).
    private static readonly DateOnly FirstDate = DateOnly.MinValue.AddDays(1);
    private static readonly DateOnly LastDate = DateOnly.MaxValue.AddDays(-1);

    private readonly ZoneClock _clock;
    private readonly OpeningHours[][] _week;
    private readonly DateOnly[] _holidays;
    private readonly TimeSpan _openPerWeek;
    private readonly DateOnly? _offsetFixedFrom;

    private BusinessCalendar(TimeZoneInfo zone, OpeningHours[][] week, DateOnly[] holidays)
    {
        TimeZoneId = zone.Id;
        _clock = new ZoneClock(zone);
        _week = week;
        _holidays = holidays;
        _openPerWeek = TimeSpan.FromTicks(week.SelectMany(day => day).Sum(hours => (hours.Close - hours.Open).Ticks));
        _offsetFixedFrom = OffsetFixedFrom(zone);
    }

    /// <summary>Round the clock, every day, no holidays (what a team without configured hours uses).</summary>
    public static BusinessCalendar Always { get; } = new(TimeZoneInfo.Utc, CalendarValidation.RoundTheClock(), []);

    /// <summary>The zone's IANA id, as the system spells it.</summary>
    public string TimeZoneId { get; }

    /// <summary>
    /// Validates and builds; no hours means open round the clock (holidays still closed). Returns null and adds
    /// to <paramref name="errors"/> (request field name to messages) when something is invalid.
    /// </summary>
    public static BusinessCalendar? Create(string timeZoneId, IReadOnlyList<OpeningHours> hours, IReadOnlyCollection<DateOnly> holidays, IDictionary<string, List<string>> errors)
    {
        ArgumentNullException.ThrowIfNull(hours);
        ArgumentNullException.ThrowIfNull(holidays);
        ArgumentNullException.ThrowIfNull(errors);

        var zone = CalendarValidation.Zone(timeZoneId, errors);
        var week = CalendarValidation.Week(hours, errors);
        var closedDates = CalendarValidation.Holidays(holidays, errors);
        return zone is null || week is null || closedDates is null ? null : new BusinessCalendar(zone, week, closedDates);
    }

    /// <summary>
    /// The first open instant at which <paramref name="businessTime"/> of open time has passed since
    /// <paramref name="start"/>; zero gives the first open instant at or after it. Time used up exactly at a
    /// closing therefore falls due at the next opening, which keeps <c>Add</c> the inverse of <see cref="Between"/>.
    /// </summary>
    public DateTimeOffset Add(DateTimeOffset start, TimeSpan businessTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(businessTime, TimeSpan.Zero);

        var from = start.UtcDateTime;
        var remaining = businessTime;
        var startDate = _clock.LocalDate(from);
        // A fall-back across midnight can leave the start inside the previous date's last interval.
        var firstDate = Clamp(startDate.DayNumber - 1);
        for (var date = firstDate; ; date = date.AddDays(1))
        {
            if (date > startDate)
            {
                var weeks = SkippableWeeks(date, remaining.Ticks / _openPerWeek.Ticks);
                remaining -= TimeSpan.FromTicks(_openPerWeek.Ticks * weeks);
                date = date.AddDays(7 * weeks);
            }

            if (date.DayNumber - firstDate.DayNumber > MaxScannedDays || date >= LastDate)
            {
                throw new InvalidOperationException(
                    $"Adding {businessTime} of business time to {start:O} in the calendar of {TimeZoneId} would scan more than " +
                    $"{MaxScannedDays} days or pass year 9999: the calendar is open too little for this target.");
            }

            foreach (var (open, close) in OpenSpans(date))
            {
                if (close <= from)
                {
                    continue;
                }

                var counted = open > from ? open : from;
                if (remaining < close - counted)
                {
                    return AsUtc(counted + remaining);
                }

                remaining -= close - counted;
            }
        }
    }

    /// <summary>Open time between two instants; zero when <paramref name="to"/> is not after <paramref name="from"/>.</summary>
    public TimeSpan Between(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from.UtcDateTime;
        var end = to.UtcDateTime;
        if (end <= start)
        {
            return TimeSpan.Zero;
        }

        var startDate = _clock.LocalDate(start);
        var endDate = _clock.LocalDate(end);
        var lastDate = Clamp(endDate.DayNumber + 1);
        var total = TimeSpan.Zero;
        for (var date = Clamp(startDate.DayNumber - 1); date <= lastDate; date = date.AddDays(1))
        {
            if (date > startDate)
            {
                // Only dates two before the end's date surely close before the end, whatever the zone does.
                var weeks = SkippableWeeks(date, (endDate.DayNumber - 1 - date.DayNumber) / 7);
                total += TimeSpan.FromTicks(_openPerWeek.Ticks * weeks);
                date = date.AddDays(7 * weeks);
            }

            foreach (var (open, close) in OpenSpans(date))
            {
                var overlap = (close < end ? close : end) - (open > start ? open : start);
                if (overlap > TimeSpan.Zero)
                {
                    total += overlap;
                }
            }
        }

        return total;
    }

    /// <summary>Whether the instant is within opening hours.</summary>
    public bool IsOpen(DateTimeOffset at)
    {
        var instant = at.UtcDateTime;
        var localDate = _clock.LocalDate(instant);
        for (var date = Clamp(localDate.DayNumber - 1); date <= Clamp(localDate.DayNumber + 1); date = date.AddDays(1))
        {
            if (OpenSpans(date).Any(span => span.Open <= instant && instant < span.Close))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The date's opening intervals as UTC instants, in order; a spring-forward gap shortens them.</summary>
    private IEnumerable<(DateTime Open, DateTime Close)> OpenSpans(DateOnly date)
    {
        if (Array.BinarySearch(_holidays, date) >= 0)
        {
            yield break;
        }

        var midnight = date.ToDateTime(TimeOnly.MinValue);
        foreach (var hours in _week[(int)date.DayOfWeek])
        {
            var open = _clock.ToUtc(midnight + hours.Open);
            var close = _clock.ToUtc(midnight + hours.Close);
            if (close > open)
            {
                yield return (open, close);
            }
        }
    }

    /// <summary>
    /// How many of the <paramref name="wanted"/> whole weeks from <paramref name="date"/> can be counted at
    /// their nominal open time without visiting each day: none holds a holiday and the zone's offset no
    /// longer changes. Zones that still observe DST are walked day by day, which is fast enough.
    /// </summary>
    private int SkippableWeeks(DateOnly date, long wanted)
    {
        if (wanted <= 0 || _offsetFixedFrom is not { } fixedFrom || date < fixedFrom)
        {
            return 0;
        }

        var next = Array.BinarySearch(_holidays, date);
        next = next < 0 ? ~next : next;
        var limit = next < _holidays.Length ? _holidays[next] : LastDate;
        return (int)Math.Min(wanted, (limit.DayNumber - date.DayNumber) / 7);
    }

    /// <summary>
    /// The date from which the zone keeps one offset for good, or null while it still has transitions ahead.
    /// A rule's end is a date in one of two zones' reckoning, hence the margin.
    /// </summary>
    private static DateOnly? OffsetFixedFrom(TimeZoneInfo zone)
    {
        var rules = zone.GetAdjustmentRules();
        if (rules.Length == 0)
        {
            return DateOnly.MinValue;
        }

        var lastEnd = rules.Max(rule => rule.DateEnd);
        return lastEnd.Year >= 9999 ? null : DateOnly.FromDateTime(lastEnd).AddDays(2);
    }

    private static DateOnly Clamp(int dayNumber) =>
        DateOnly.FromDayNumber(Math.Clamp(dayNumber, FirstDate.DayNumber, LastDate.DayNumber));

    private static DateTimeOffset AsUtc(DateTime utc) => new(utc, TimeSpan.Zero);
}
