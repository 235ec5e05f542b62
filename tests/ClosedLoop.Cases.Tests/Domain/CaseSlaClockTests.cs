using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Domain.Sla;

namespace ClosedLoop.Cases.Tests.Domain;

/// <summary>
/// A case's SLA clocks in a Berlin team's calendar (Mon–Fri 09:00–17:00, closed 24 and 25 December): due times
/// across a weekend and holidays, a pause while waiting on the customer, breaches recorded once.
/// All instants are worked out by hand; Berlin is UTC+1 in December.
/// </summary>
public sealed class CaseSlaClockTests
{
    private static readonly CaseActor Agent = new("u-1", "Jana");

    private static readonly BusinessCalendar Berlin = BusinessCalendar.Create(
        "Europe/Berlin",
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }.Select(d => new OpeningHours(d, TimeSpan.FromHours(9), TimeSpan.FromHours(17)))],
        [new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 25)],
        new Dictionary<string, List<string>>())!;

    private static DateTimeOffset Local(int day, int hour) => new(2026, 12, day, hour, 0, 0, TimeSpan.FromHours(1));

    private static Case Open(DateTimeOffset at, double firstResponseHours = 4, double resolutionHours = 16) => Case.Open(
        new NewCase(Guid.NewGuid(), Guid.NewGuid(), CasePriority.High, EscalationLevel.Frontline, null, "detractor-recovery", [], 2, "detractor", "negative", null, false),
        null,
        new SlaTargets(TimeSpan.FromHours(firstResponseHours), TimeSpan.FromHours(resolutionHours)),
        Berlin,
        Agent,
        at);

    [Fact]
    public void Targets_opened_late_on_a_Friday_fall_due_after_the_weekend()
    {
        var c = Open(Local(18, 16));

        // 1 h on Friday, 3 h on Monday; 1 + 8 on Friday and Monday, 7 on Tuesday.
        Assert.Equal(Local(21, 12), c.FirstResponseDueAt);
        Assert.Equal(Local(22, 16), c.ResolutionDueAt);
        Assert.Equal(Local(21, 12), c.DueSort);
    }

    [Fact]
    public void Waiting_on_the_customer_over_the_holidays_moves_the_due_time_by_the_business_time_paused()
    {
        var c = Open(Local(18, 16));
        Assert.Null(c.Acknowledge(null, Agent, Local(21, 10), Berlin));
        Assert.Null(c.Move(CaseAction.Start, null, Agent, Local(21, 11), Berlin));
        Assert.Equal(Local(22, 16), c.DueSort);

        Assert.Null(c.Move(CaseAction.WaitOnCustomer, null, Agent, Local(22, 10), Berlin));
        Assert.Equal(Case.NothingDue, c.DueSort);
        Assert.Null(c.Move(CaseAction.Resume, null, Agent, Local(28, 10), Berlin));

        // Paused: Tue 10–17 (7 h), Wed (8 h), Thu and Fri are holidays, Mon 9–10 (1 h) = 16 h. 6 h were left: Monday 16:00.
        Assert.Equal(16 * 60, c.PausedMinutes, 3);
        Assert.Equal(Local(28, 16), c.ResolutionDueAt);
        Assert.Equal(Local(28, 16), c.DueSort);
        Assert.False(c.DetectBreaches(Local(28, 15)));
        Assert.Null(c.Resolve(new RootCause { Key = "other", Name = "Other" }, "done", null, Agent, Local(28, 15), Berlin));
        Assert.Null(c.ResolutionBreachedAt);
        Assert.Equal(Case.NothingDue, c.DueSort);
    }

    [Fact]
    public void A_missed_target_is_recorded_once_with_one_event()
    {
        var c = Open(Local(18, 16));
        c.Events.Clear();

        Assert.False(c.DetectBreaches(Local(21, 11)));
        Assert.True(c.DetectBreaches(Local(21, 13)));
        Assert.False(c.DetectBreaches(Local(21, 14)));
        Assert.True(c.DetectBreaches(Local(22, 17)));

        Assert.Equal([SlaTarget.FirstResponse, SlaTarget.Resolution], c.Events.OfType<CaseSlaBreachedIntegrationEvent>().Select(e => e.Target));
        Assert.Equal(Local(21, 13), c.FirstResponseBreachedAt);

        // Acknowledging late does not record the first-response miss a second time.
        Assert.Null(c.Acknowledge(null, Agent, Local(23, 9), Berlin));
        Assert.Single(c.Events.OfType<CaseAcknowledgedIntegrationEvent>(), e => !e.WithinSla);
        Assert.Equal(2, c.Events.OfType<CaseSlaBreachedIntegrationEvent>().Count());
    }

    [Fact]
    public void Waiting_after_the_due_time_records_the_miss_before_the_clock_stops()
    {
        var c = Open(Local(18, 16), firstResponseHours: 1, resolutionHours: 2);
        c.Acknowledge(null, Agent, Local(18, 16), Berlin);
        c.Move(CaseAction.Start, null, Agent, Local(18, 16), Berlin);

        // Due Monday 10:00; the agent only pauses at 11:00.
        c.Move(CaseAction.WaitOnCustomer, null, Agent, Local(21, 11), Berlin);

        Assert.Equal(Local(21, 11), c.ResolutionBreachedAt);
    }

    [Fact]
    public void Reopening_runs_the_clock_again_from_where_it_stood_at_resolution()
    {
        var c = Open(Local(21, 9), firstResponseHours: 1, resolutionHours: 8);
        c.Acknowledge(null, Agent, Local(21, 9), Berlin);
        c.Move(CaseAction.Start, null, Agent, Local(21, 9), Berlin);
        c.Resolve(new RootCause { Key = "other", Name = "Other" }, "done", "We fixed it.", Agent, Local(21, 12), Berlin);
        c.Close(null, Agent, Local(21, 13), Berlin);

        // Reopened Wednesday 09:00: resolved → reopened (Mon 12–17, Tue 9–17) stood still; 5 h left → Wednesday 14:00.
        Assert.Null(c.Reopen("Refund never arrived", Agent, Local(23, 9), Berlin));

        Assert.Equal((CaseStatus.InProgress, (string?)null), (c.Status, c.RootCause));
        Assert.Equal(Local(23, 14), c.ResolutionDueAt);
    }
}
