using System.Globalization;
using ClosedLoop.Cases.Domain.Sla;

namespace ClosedLoop.Cases.Tests.Sla;

/// <summary>
/// Expected instants are worked out by hand from the zone's offsets (CET +1, CEST +2, EST −5, EDT −4,
/// IST +5:30, Samoa −10 then +14); 2025-03-09 and 2025-11-02 are New York's DST Sundays, 2025-03-30 and 2025-10-26 Berlin's.
/// </summary>
public sealed class BusinessCalendarTests
{
    private static readonly TimeSpan H9 = TimeSpan.FromHours(9);
    private static readonly TimeSpan H17 = TimeSpan.FromHours(17);
    private static readonly TimeSpan H24 = TimeSpan.FromHours(24);

    [Fact]
    public void Four_business_hours_from_Friday_4pm_end_Monday_noon()
    {
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17));

        AssertUtc("2025-01-13T11:00Z", berlin.Add(At("2025-01-10T15:00Z"), TimeSpan.FromHours(4)));
        Assert.Equal(TimeSpan.FromHours(4), berlin.Between(At("2025-01-10T15:00Z"), At("2025-01-13T11:00Z")));
    }

    [Fact]
    public void A_start_before_opening_counts_from_the_opening()
    {
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17));

        AssertUtc("2025-01-14T10:00Z", berlin.Add(At("2025-01-14T05:00Z"), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void A_start_after_closing_counts_from_the_next_morning()
    {
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17));

        AssertUtc("2025-01-15T10:00Z", berlin.Add(At("2025-01-14T19:00Z"), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void A_start_at_the_weekend_counts_from_Monday_morning()
    {
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17));

        AssertUtc("2025-01-13T09:00Z", berlin.Add(At("2025-01-11T09:00Z"), TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.Zero, berlin.Between(At("2025-01-11T00:00Z"), At("2025-01-12T23:00Z")));
    }

    [Fact]
    public void Time_used_up_at_closing_falls_due_at_the_next_opening()
    {
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17));

        AssertUtc("2025-01-14T08:00Z", berlin.Add(At("2025-01-13T08:00Z"), TimeSpan.FromHours(8)));
        Assert.Equal(TimeSpan.FromHours(8), berlin.Between(At("2025-01-13T08:00Z"), At("2025-01-13T16:00Z")));
        Assert.Equal(TimeSpan.FromHours(8), berlin.Between(At("2025-01-13T08:00Z"), At("2025-01-14T08:00Z")));
    }

    [Fact]
    public void Zero_business_time_is_the_first_open_instant_at_or_after_the_start()
    {
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17));

        AssertUtc("2025-01-13T08:00Z", berlin.Add(At("2025-01-11T09:00Z"), TimeSpan.Zero));
        AssertUtc("2025-01-13T09:30Z", berlin.Add(At("2025-01-13T09:30Z"), TimeSpan.Zero));
    }

    [Fact]
    public void Negative_business_time_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BusinessCalendar.Always.Add(At("2025-01-13T08:00Z"), TimeSpan.FromTicks(-1)));

    [Fact]
    public void Between_is_zero_when_the_end_is_not_after_the_start()
    {
        Assert.Equal(TimeSpan.Zero, BusinessCalendar.Always.Between(At("2025-01-13T08:00Z"), At("2025-01-13T08:00Z")));
        Assert.Equal(TimeSpan.Zero, BusinessCalendar.Always.Between(At("2025-01-13T08:00Z"), At("2025-01-13T07:00Z")));
    }

    [Fact]
    public void A_lunch_break_is_not_counted()
    {
        var berlin = Calendar("Europe/Berlin", [.. Weekdays(H9, TimeSpan.FromHours(12)), .. Weekdays(TimeSpan.FromHours(13), H17)]);

        AssertUtc("2025-01-13T13:00Z", berlin.Add(At("2025-01-13T10:00Z"), TimeSpan.FromHours(2)));
        AssertUtc("2025-01-13T12:00Z", berlin.Add(At("2025-01-13T10:00Z"), TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromHours(7), berlin.Between(At("2025-01-13T08:00Z"), At("2025-01-13T16:00Z")));
        Assert.False(berlin.IsOpen(At("2025-01-13T11:30Z")));
        Assert.True(berlin.IsOpen(At("2025-01-13T12:00Z")));
    }

    [Fact]
    public void Christmas_holidays_push_a_Tuesday_afternoon_target_to_the_next_Monday()
    {
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17), new(2025, 12, 24), new(2025, 12, 25), new(2025, 12, 26));

        AssertUtc("2025-12-29T11:00Z", berlin.Add(At("2025-12-23T15:00Z"), TimeSpan.FromHours(4)));
        Assert.Equal(TimeSpan.FromHours(4), berlin.Between(At("2025-12-23T15:00Z"), At("2025-12-29T11:00Z")));
    }

    [Fact]
    public void A_start_on_a_holiday_counts_from_the_next_working_day()
    {
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17), new(2025, 12, 24), new(2025, 12, 25), new(2025, 12, 26));

        AssertUtc("2025-12-29T09:00Z", berlin.Add(At("2025-12-25T09:00Z"), TimeSpan.FromHours(1)));
        Assert.False(berlin.IsOpen(At("2025-12-25T10:00Z")));
    }

    [Fact]
    public void Holidays_close_a_round_the_clock_calendar_for_the_whole_local_date()
    {
        var utc = Calendar("UTC", [], new DateOnly(2025, 1, 1));
        var berlin = Calendar("Europe/Berlin", [], new DateOnly(2025, 1, 1));

        AssertUtc("2025-01-02T01:00Z", utc.Add(At("2024-12-31T23:00Z"), TimeSpan.FromHours(2)));
        Assert.Equal(TimeSpan.FromHours(48), utc.Between(At("2024-12-31T00:00Z"), At("2025-01-03T00:00Z")));
        Assert.True(berlin.IsOpen(At("2024-12-31T22:59Z")));
        Assert.False(berlin.IsOpen(At("2024-12-31T23:00Z")));
        Assert.False(berlin.IsOpen(At("2025-01-01T22:59Z")));
        Assert.True(berlin.IsOpen(At("2025-01-01T23:00Z")));
    }

    [Fact]
    public void A_night_shift_to_24_00_runs_on_into_the_next_days_hours()
    {
        var berlin = Calendar("Europe/Berlin", [new(DayOfWeek.Friday, TimeSpan.FromHours(18), H24), new(DayOfWeek.Saturday, TimeSpan.Zero, TimeSpan.FromHours(2))]);

        AssertUtc("2025-01-11T00:00Z", berlin.Add(At("2025-01-10T22:00Z"), TimeSpan.FromHours(2)));
        Assert.Equal(TimeSpan.FromHours(8), berlin.Between(At("2025-01-10T16:00Z"), At("2025-01-11T02:00Z")));
        Assert.True(berlin.IsOpen(At("2025-01-10T22:59:59Z")));
        Assert.True(berlin.IsOpen(At("2025-01-10T23:00Z")));
        Assert.False(berlin.IsOpen(At("2025-01-11T01:00Z")));
    }

    [Fact]
    public void Time_used_up_at_24_00_falls_due_at_the_next_weeks_opening()
    {
        var mondays = Calendar("UTC", [new(DayOfWeek.Monday, TimeSpan.Zero, H24)]);

        AssertUtc("2025-01-20T00:00Z", mondays.Add(At("2025-01-13T20:00Z"), TimeSpan.FromHours(4)));
    }

    [Fact]
    public void Kolkata_half_hour_offset_moves_a_Friday_evening_target_to_Monday_morning_IST()
    {
        var kolkata = Calendar("Asia/Kolkata", Weekdays(H9, TimeSpan.FromHours(18)));

        AssertUtc("2025-01-13T05:30Z", kolkata.Add(At("2025-01-10T11:30Z"), TimeSpan.FromHours(3)));
        Assert.False(kolkata.IsOpen(At("2025-01-13T03:29Z")));
        Assert.True(kolkata.IsOpen(At("2025-01-13T03:30Z")));
    }

    [Fact]
    public void New_York_counts_west_of_UTC_whatever_offset_the_start_is_given_in()
    {
        var newYork = Calendar("America/New_York", Weekdays(H9, H17));

        var due = newYork.Add(DateTimeOffset.Parse("2025-01-10T22:00+01:00", CultureInfo.InvariantCulture), TimeSpan.FromHours(4));

        AssertUtc("2025-01-13T17:00Z", due);
    }

    [Fact]
    public void A_weekend_with_a_DST_change_keeps_local_opening_times_in_both_hemispheres_of_UTC()
    {
        var newYork = Calendar("America/New_York", Weekdays(H9, H17));
        var berlin = Calendar("Europe/Berlin", Weekdays(H9, H17));

        AssertUtc("2025-03-10T16:00Z", newYork.Add(At("2025-03-07T21:00Z"), TimeSpan.FromHours(4)));
        AssertUtc("2025-03-31T10:00Z", berlin.Add(At("2025-03-28T15:00Z"), TimeSpan.FromHours(4)));
        AssertUtc("2025-10-27T11:00Z", berlin.Add(At("2025-10-24T14:00Z"), TimeSpan.FromHours(4)));
    }

    [Fact]
    public void An_interval_across_the_spring_forward_gap_holds_one_real_hour()
    {
        var sundayNight = Calendar("America/New_York", [new(DayOfWeek.Sunday, TimeSpan.FromHours(1.5), TimeSpan.FromHours(3.5))]);

        Assert.Equal(TimeSpan.FromHours(1), sundayNight.Between(At("2025-03-08T00:00Z"), At("2025-03-10T00:00Z")));
        AssertUtc("2025-03-09T07:00Z", sundayNight.Add(At("2025-03-09T05:00Z"), TimeSpan.FromMinutes(30)));
        AssertUtc("2025-03-16T05:30Z", sundayNight.Add(At("2025-03-09T05:00Z"), TimeSpan.FromHours(1)));
        Assert.False(sundayNight.IsOpen(At("2025-03-09T06:29Z")));
        Assert.True(sundayNight.IsOpen(At("2025-03-09T06:30Z")));
        Assert.False(sundayNight.IsOpen(At("2025-03-09T07:30Z")));
    }

    [Fact]
    public void An_interval_starting_in_the_skipped_hour_opens_when_the_clocks_jump()
    {
        var fromSkippedTime = Calendar("America/New_York", [new(DayOfWeek.Sunday, TimeSpan.FromHours(2.5), TimeSpan.FromHours(4))]);

        AssertUtc("2025-03-09T07:00Z", fromSkippedTime.Add(At("2025-03-09T05:00Z"), TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromHours(1), fromSkippedTime.Between(At("2025-03-09T00:00Z"), At("2025-03-10T00:00Z")));
    }

    [Fact]
    public void The_repeated_hour_of_fall_back_is_counted_as_real_time()
    {
        var sundayNight = Calendar("America/New_York", [new(DayOfWeek.Sunday, TimeSpan.Zero, TimeSpan.FromHours(3))]);
        var fromRepeatedTime = Calendar("America/New_York", [new(DayOfWeek.Sunday, TimeSpan.FromHours(1.5), TimeSpan.FromHours(2.5))]);

        Assert.Equal(TimeSpan.FromHours(4), sundayNight.Between(At("2025-11-01T00:00Z"), At("2025-11-03T00:00Z")));
        AssertUtc("2025-11-02T07:00Z", sundayNight.Add(At("2025-11-02T04:00Z"), TimeSpan.FromHours(3)));
        Assert.Equal(TimeSpan.FromHours(2), fromRepeatedTime.Between(At("2025-11-01T00:00Z"), At("2025-11-03T00:00Z")));
        Assert.False(fromRepeatedTime.IsOpen(At("2025-11-02T05:29Z")));
        Assert.True(fromRepeatedTime.IsOpen(At("2025-11-02T05:30Z")));
        Assert.True(fromRepeatedTime.IsOpen(At("2025-11-02T06:30Z")));
        Assert.False(fromRepeatedTime.IsOpen(At("2025-11-02T07:30Z")));
    }

    [Fact]
    public void The_Friday_Samoa_skipped_when_it_crossed_the_date_line_has_no_open_time()
    {
        var apia = Calendar("Pacific/Apia", Weekdays(H9, H17));

        AssertUtc("2012-01-01T20:00Z", apia.Add(At("2011-12-30T02:00Z"), TimeSpan.FromHours(2)));
        Assert.False(apia.IsOpen(At("2011-12-30T19:30Z")));
    }

    [Fact]
    public void Round_the_clock_days_last_23_and_25_hours_on_DST_Sundays()
    {
        var berlin = Calendar("Europe/Berlin", []);

        Assert.Equal(TimeSpan.FromHours(47), berlin.Between(At("2025-03-28T23:00Z"), At("2025-03-30T22:00Z")));
        Assert.Equal(TimeSpan.FromHours(25), berlin.Between(At("2025-10-25T22:00Z"), At("2025-10-26T23:00Z")));
    }

    [Fact]
    public void Two_thousand_business_hours_are_fifty_working_weeks()
    {
        var kolkata = Calendar("Asia/Kolkata", Weekdays(H9, H17));
        var kolkataWithHoliday = Calendar("Asia/Kolkata", Weekdays(H9, H17), new DateOnly(2025, 8, 15));
        var newYork = Calendar("America/New_York", Weekdays(H9, H17));

        AssertUtc("2025-12-22T03:30Z", kolkata.Add(At("2025-01-06T03:30Z"), TimeSpan.FromHours(2000)));
        Assert.Equal(TimeSpan.FromHours(2000), kolkata.Between(At("2025-01-06T03:30Z"), At("2025-12-22T03:30Z")));
        AssertUtc("2025-12-23T03:30Z", kolkataWithHoliday.Add(At("2025-01-06T03:30Z"), TimeSpan.FromHours(2000)));
        Assert.Equal(TimeSpan.FromHours(1992), kolkataWithHoliday.Between(At("2025-01-06T03:30Z"), At("2025-12-22T03:30Z")));
        AssertUtc("2025-12-22T14:00Z", newYork.Add(At("2025-01-06T14:00Z"), TimeSpan.FromHours(2000)));
    }

    [Fact]
    public void One_hour_a_week_reaches_two_thousand_hours_38_years_later_without_crawling()
    {
        var mondayMornings = Calendar("America/New_York", [new(DayOfWeek.Monday, H9, TimeSpan.FromHours(10))]);
        var due = mondayMornings.Add(At("2025-01-06T14:00Z"), TimeSpan.FromHours(2000));

        AssertUtc("2063-05-07T13:00Z", due);
    }

    [Fact]
    public void Four_years_of_holidays_delay_but_do_not_stop_the_count()
    {
        var holidays = Enumerable.Range(0, 1400).Select(d => new DateOnly(2024, 12, 30).AddDays(d))
            .Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).ToList();
        var utc = Calendar("UTC", Weekdays(H9, H17), [.. holidays]);

        Assert.Equal(1000, holidays.Count);
        AssertUtc("2028-10-30T10:00Z", utc.Add(At("2024-12-30T00:00Z"), TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("America/New_York")]
    public void A_target_out_of_reach_of_a_calendar_open_one_minute_a_week_fails_clearly(string zone)
    {
        var oneMinute = Calendar(zone, [new(DayOfWeek.Monday, H9, H9 + TimeSpan.FromMinutes(1))]);

        var error = Assert.Throws<InvalidOperationException>(() => oneMinute.Add(At("2025-01-06T00:00Z"), TimeSpan.FromHours(2000)));

        Assert.Contains("open too little", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Always_is_open_round_the_clock_in_UTC()
    {
        var always = BusinessCalendar.Always;

        Assert.Equal("UTC", always.TimeZoneId);
        Assert.True(always.IsOpen(At("2025-12-25T03:17Z")));
        AssertUtc("2025-01-05T08:00Z", always.Add(DateTimeOffset.Parse("2025-01-01T10:00+02:00", CultureInfo.InvariantCulture), TimeSpan.FromHours(96)));
        Assert.Equal(TimeSpan.FromDays(365), always.Between(At("2025-01-01T00:00Z"), At("2026-01-01T00:00Z")));
    }

    private static BusinessCalendar Calendar(string zone, IReadOnlyList<OpeningHours> hours, params DateOnly[] holidays)
    {
        var errors = new Dictionary<string, List<string>>();
        var calendar = BusinessCalendar.Create(zone, hours, holidays, errors);
        Assert.True(calendar is not null, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        return calendar;
    }

    internal static OpeningHours[] Weekdays(TimeSpan open, TimeSpan close) =>
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(day => new OpeningHours(day, open, close))];

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    private static void AssertUtc(string expected, DateTimeOffset actual)
    {
        Assert.Equal(At(expected), actual);
        Assert.Equal(TimeSpan.Zero, actual.Offset);
    }
}
