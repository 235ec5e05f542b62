using ClosedLoop.Cases.Domain.Sla;

namespace ClosedLoop.Cases.Tests.Sla;

/// <summary>
/// <c>Add</c> and <c>Between</c> invert each other on random instants (fixed seed) over a year that holds
/// both DST changes, in zones east and west of UTC, with lunch breaks, night shifts, holidays and 24:00.
/// </summary>
public sealed class BusinessCalendarPropertyTests
{
    private const int Samples = 1500;
    private static readonly DateTimeOffset YearStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Calendars => [.. Shapes.Keys];

    private static readonly Dictionary<string, Func<BusinessCalendar>> Shapes = new()
    {
        ["berlin-lunch-and-holidays"] = () => Build("Europe/Berlin",
            [.. BusinessCalendarTests.Weekdays(TimeSpan.FromHours(8), TimeSpan.FromHours(12)),
             .. BusinessCalendarTests.Weekdays(TimeSpan.FromHours(13), TimeSpan.FromHours(17.5)),
             new(DayOfWeek.Saturday, TimeSpan.FromHours(10), TimeSpan.FromHours(14))],
            [new(2025, 4, 18), new(2025, 4, 21), new(2025, 5, 1), new(2025, 12, 24), new(2025, 12, 25), new(2025, 12, 26)]),
        ["new-york-dst-nights"] = () => Build("America/New_York",
            [.. BusinessCalendarTests.Weekdays(TimeSpan.FromHours(9), TimeSpan.FromHours(17)),
             new(DayOfWeek.Saturday, TimeSpan.FromHours(20), TimeSpan.FromHours(24)),
             new(DayOfWeek.Sunday, TimeSpan.Zero, TimeSpan.FromHours(3.5))],
            [new(2025, 7, 4), new(2025, 11, 27)]),
        ["kolkata-weekdays"] = () => Build("Asia/Kolkata", BusinessCalendarTests.Weekdays(TimeSpan.FromHours(9.5), TimeSpan.FromHours(18)), [new(2025, 8, 15)]),
        ["lord-howe-half-hour-dst"] = () => Build("Australia/Lord_Howe", [.. Enum.GetValues<DayOfWeek>().Select(d => new OpeningHours(d, TimeSpan.FromHours(1), TimeSpan.FromHours(3)))], []),
        ["berlin-round-the-clock"] = () => Build("Europe/Berlin", [], [new(2025, 3, 30), new(2025, 10, 26)]),
    };

    [Theory]
    [MemberData(nameof(Calendars))]
    public void Adding_the_open_time_up_to_an_open_instant_lands_on_that_instant(string shape)
    {
        var calendar = Shapes[shape]();
        var random = new Random(20251123);
        var checkedOpen = 0;

        for (var i = 0; i < Samples; i++)
        {
            var start = RandomInstant(random, TimeSpan.FromDays(365));
            var end = start + RandomSpan(random, TimeSpan.FromDays(45));
            if (!calendar.IsOpen(end))
            {
                continue;
            }

            checkedOpen++;
            Assert.Equal(end, calendar.Add(start, calendar.Between(start, end)));
        }

        Assert.True(checkedOpen > Samples / 20, $"only {checkedOpen} open instants drawn");
    }

    [Theory]
    [MemberData(nameof(Calendars))]
    public void The_open_time_up_to_an_added_instant_is_what_was_added(string shape)
    {
        var calendar = Shapes[shape]();
        var random = new Random(20251124);

        for (var i = 0; i < Samples; i++)
        {
            var start = RandomInstant(random, TimeSpan.FromDays(365));
            var businessTime = RandomSpan(random, TimeSpan.FromHours(300));

            var due = calendar.Add(start, businessTime);

            Assert.True(calendar.IsOpen(due), $"{due:O} is closed");
            Assert.Equal(businessTime, calendar.Between(start, due));
        }
    }

    private static DateTimeOffset RandomInstant(Random random, TimeSpan within) => YearStart + RandomSpan(random, within);

    private static TimeSpan RandomSpan(Random random, TimeSpan within) => TimeSpan.FromTicks(random.NextInt64(within.Ticks));

    private static BusinessCalendar Build(string zone, IReadOnlyList<OpeningHours> hours, DateOnly[] holidays) =>
        BusinessCalendar.Create(zone, hours, holidays, new Dictionary<string, List<string>>())
        ?? throw new InvalidOperationException($"{zone} calendar is invalid");
}
