using ClosedLoop.Cases.Domain.Sla;

namespace ClosedLoop.Cases.Tests.Sla;

/// <summary>Each way <see cref="BusinessCalendar.Create"/> refuses its input, named after the request field.</summary>
public sealed class BusinessCalendarCreateTests
{
    private static readonly TimeSpan H9 = TimeSpan.FromHours(9);
    private static readonly TimeSpan H12 = TimeSpan.FromHours(12);
    private static readonly TimeSpan H17 = TimeSpan.FromHours(17);

    // A valid interval next to the bad one, so that the week still has open time and only the bad one is named.
    private static readonly OpeningHours Tuesday = new(DayOfWeek.Tuesday, H9, H17);

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Eastern Standard Time")]
    [InlineData("Europe/Berlin ")]
    public void An_unknown_or_non_IANA_zone_is_refused(string zone)
    {
        var errors = Refused(zone, BusinessCalendarTests.Weekdays(H9, H17), []);

        Assert.Equal(["timeZone"], errors.Keys);
    }

    // Keyed by a description because OpeningHours is internal and a public theory cannot take it.
    private static readonly Dictionary<string, (OpeningHours[] Hours, string Field)> BadHours = new()
    {
        ["close before open"] = ([Tuesday, new(DayOfWeek.Monday, H17, H9)], "businessHours[1]"),
        ["close equal to open"] = ([Tuesday, new(DayOfWeek.Tuesday, H12, H12)], "businessHours[1]"),
        ["open before 00:00"] = ([Tuesday, new(DayOfWeek.Monday, TimeSpan.FromHours(-1), H9)], "businessHours[1]"),
        ["close after 24:00"] = ([Tuesday, new(DayOfWeek.Monday, H9, TimeSpan.FromHours(24.5))], "businessHours[1]"),
        ["open at 24:00"] = ([Tuesday, new(DayOfWeek.Monday, TimeSpan.FromHours(24), TimeSpan.FromHours(25))], "businessHours[1]"),
        ["no such weekday"] = ([Tuesday, new((DayOfWeek)7, H9, H17)], "businessHours[1]"),
        ["overlapping the end of an earlier one"] = ([new(DayOfWeek.Monday, H9, H12), new(DayOfWeek.Tuesday, H9, H17), new(DayOfWeek.Monday, TimeSpan.FromHours(11), H17)], "businessHours[2]"),
        ["inside an earlier one"] = ([new(DayOfWeek.Monday, H9, H17), new(DayOfWeek.Monday, H12, TimeSpan.FromHours(13))], "businessHours[1]"),
    };

    public static TheoryData<string> BadHoursCases => [.. BadHours.Keys];

    [Theory]
    [MemberData(nameof(BadHoursCases))]
    public void A_malformed_or_overlapping_interval_is_refused_by_its_index(string badHours)
    {
        var (hours, field) = BadHours[badHours];

        var errors = Refused("Europe/Berlin", hours, []);

        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void Hours_with_no_valid_open_time_are_refused_as_a_whole_too()
    {
        var errors = Refused("Europe/Berlin", [new(DayOfWeek.Monday, H9, H9)], []);

        Assert.Equal(["businessHours", "businessHours[0]"], errors.Keys.Order());
    }

    [Fact]
    public void More_than_28_intervals_are_refused_and_28_are_accepted()
    {
        var slots = Enum.GetValues<DayOfWeek>()
            .SelectMany(day => Enumerable.Range(0, 5).Select(slot => new OpeningHours(day, TimeSpan.FromHours(slot * 2), TimeSpan.FromHours((slot * 2) + 1))))
            .ToArray();

        Assert.Equal(["businessHours"], Refused("UTC", slots[..29], []).Keys);
        Assert.NotNull(BusinessCalendar.Create("UTC", slots[..28], [], new Dictionary<string, List<string>>()));
    }

    [Fact]
    public void More_than_1000_holidays_are_refused_and_1000_are_accepted()
    {
        var dates = Enumerable.Range(0, 1001).Select(d => new DateOnly(2025, 1, 1).AddDays(d)).ToArray();

        Assert.Equal(["holidays"], Refused("UTC", [], dates).Keys);
        Assert.NotNull(BusinessCalendar.Create("UTC", [], dates[..1000], new Dictionary<string, List<string>>()));
    }

    [Fact]
    public void A_holiday_listed_twice_is_refused_by_its_index()
    {
        var errors = Refused("UTC", [], [new(2025, 12, 25), new(2025, 12, 26), new(2025, 12, 25)]);

        Assert.Equal(["holidays[2]"], errors.Keys);
    }

    [Fact]
    public void Touching_intervals_and_24_00_are_valid_and_the_zone_is_spelled_as_the_system_does()
    {
        var errors = new Dictionary<string, List<string>>();

        var calendar = BusinessCalendar.Create(
            "Asia/Kolkata",
            [new(DayOfWeek.Monday, H9, H12), new(DayOfWeek.Monday, H12, TimeSpan.FromHours(24)), new(DayOfWeek.Tuesday, TimeSpan.Zero, H9)],
            [new(2025, 8, 15)],
            errors);

        Assert.Empty(errors);
        Assert.Equal("Asia/Kolkata", calendar?.TimeZoneId);
    }

    [Fact]
    public void Errors_are_added_to_those_the_caller_already_collected()
    {
        var errors = new Dictionary<string, List<string>> { ["timeZone"] = ["an earlier message"] };

        Assert.Null(BusinessCalendar.Create("Nowhere/Nothing", [], [], errors));

        Assert.Equal(2, errors["timeZone"].Count);
        Assert.Contains("Nowhere/Nothing", errors["timeZone"][1], StringComparison.Ordinal);
    }

    private static Dictionary<string, List<string>> Refused(string zone, IReadOnlyList<OpeningHours> hours, IReadOnlyCollection<DateOnly> holidays)
    {
        var errors = new Dictionary<string, List<string>>();
        Assert.Null(BusinessCalendar.Create(zone, hours, holidays, errors));
        Assert.All(errors.Values, messages => Assert.NotEmpty(messages));
        return errors;
    }
}
