using System.Diagnostics;
using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Persistence;
using Xunit.Abstractions;

namespace ClosedLoop.Api.Tests.Workflows.Timers;

/// <summary>
/// The runtime's timers as Quartz triggers in the app's database, through the whole host: a timer fires its sink once
/// at its due time (the host's clock, moved forward), scheduling is idempotent, unscheduling prevents the fire, a
/// timer that came due while no host ran fires once after a restart, and a failing sink gets the timer again.
/// </summary>
public abstract class TimerTests(DatabaseProvider provider, ITestOutputHelper output)
{
    protected DatabaseProvider Provider { get; } = provider;

    protected ITestOutputHelper Output { get; } = output;

    [Fact]
    public async Task A_timer_fires_once_at_its_due_time()
    {
        await using var database = await SharedDatabase.CreateAsync(Provider);
        var sink = new RecordingSink();
        await using var host = await database.StartHostAsync(sink);
        var (bookmark, instance) = (Guid.NewGuid(), Guid.NewGuid());

        await TimerInternals.ScheduleAsync(host.Services, (bookmark, instance, host.Clock.GetUtcNow().AddDays(2)));
        await Task.Delay(TimeSpan.FromSeconds(2)); // two idle rounds: nothing is due yet
        Assert.Equal(0, sink.Total);

        host.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => sink.FiresOf(bookmark) == 1, "the timer fired");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, sink.Total);
    }

    [Fact]
    public async Task Scheduling_twice_fires_once_and_unscheduling_prevents_the_fire()
    {
        await using var database = await SharedDatabase.CreateAsync(Provider);
        var sink = new RecordingSink();
        await using var host = await database.StartHostAsync(sink);
        var due = host.Clock.GetUtcNow().AddHours(1);
        var (twice, kept, dropped, instance) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        await TimerInternals.ScheduleAsync(host.Services, (twice, instance, due));
        await TimerInternals.ScheduleAsync(host.Services, (twice, instance, due), (kept, instance, due), (dropped, instance, due));
        await TimerInternals.UnscheduleAsync(host.Services, dropped, Guid.NewGuid()); // and one that never existed
        await TimerInternals.UnscheduleAsync(host.Services, dropped);

        host.Clock.Advance(TimeSpan.FromHours(2)); // overdue by an hour: misfired, fired at once
        await Eventually.HoldsAsync(() => sink.FiresOf(twice) == 1 && sink.FiresOf(kept) == 1, "both timers fired");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, sink.FiresOf(twice));
        Assert.Equal(0, sink.FiresOf(dropped));
        Assert.Equal(2, sink.Total);
    }

    [Fact]
    public async Task A_timer_due_while_no_host_ran_fires_once_after_the_restart()
    {
        await using var database = await SharedDatabase.CreateAsync(Provider);
        var first = new RecordingSink();
        var bookmark = Guid.NewGuid();
        await using (var host = await database.StartHostAsync(first))
        {
            await TimerInternals.ScheduleAsync(host.Services, (bookmark, Guid.NewGuid(), host.Clock.GetUtcNow().AddDays(1)));
        }

        var second = new RecordingSink();
        await using var restarted = new TimerHost(database.Provider, database.ConnectionString, second);
        restarted.Clock.Advance(TimeSpan.FromDays(3));
        await restarted.InitializeAsync();

        await Eventually.HoldsAsync(() => second.FiresOf(bookmark) == 1, "the overdue timer fired after the restart");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(0, first.Total);
        Assert.Equal(1, second.Total);
    }

    [Fact]
    public async Task A_failing_sink_gets_the_timer_again()
    {
        await using var database = await SharedDatabase.CreateAsync(Provider);
        var sink = new RecordingSink();
        await using var host = await database.StartHostAsync(sink);
        var bookmark = Guid.NewGuid();
        sink.FailFirst(bookmark, 2);

        await TimerInternals.ScheduleAsync(host.Services, (bookmark, Guid.NewGuid(), host.Clock.GetUtcNow().AddMinutes(-1)));

        // Two failures, then success: retried after 1 s, then 2 s (jittered), and never again once it succeeded.
        await Eventually.HoldsAsync(() => sink.FiresOf(bookmark) == 3, "the timer fired three times");
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(3, sink.FiresOf(bookmark));
    }

    [Fact]
    public async Task Many_timers_fire_once_each()
    {
        const int count = 500;
        await using var database = await SharedDatabase.CreateAsync(Provider);
        var sink = new RecordingSink();
        await using var host = await database.StartHostAsync(sink);
        var due = host.Clock.GetUtcNow().AddDays(1);
        var timers = Enumerable.Range(0, count).Select(_ => (Guid.NewGuid(), Guid.NewGuid(), due)).ToArray();

        var watch = Stopwatch.StartNew();
        await TimerInternals.ScheduleAsync(host.Services, timers);
        Output.WriteLine($"{Provider}: scheduled {count} in {watch.ElapsedMilliseconds} ms");

        host.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        watch.Restart();
        await Eventually.HoldsAsync(() => sink.Fires.Count == count, $"{count} timers fired", TimeSpan.FromSeconds(60));
        Output.WriteLine($"{Provider}: {count} fired in {watch.ElapsedMilliseconds} ms ({count * 1000.0 / watch.ElapsedMilliseconds:0} per second, including up to 1 s before the first round)");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.All(sink.Fires.Values, n => Assert.Equal(1, n));
    }
}

public sealed class SqliteTimerTests(ITestOutputHelper output) : TimerTests(DatabaseProvider.Sqlite, output);

public sealed class PostgresTimerTests(ITestOutputHelper output) : TimerTests(DatabaseProvider.PostgreSql, output)
{
    [Fact]
    public async Task Two_hosts_on_one_database_fire_each_of_200_timers_exactly_once()
    {
        const int count = 200;
        await using var database = await SharedDatabase.CreateAsync(Provider);
        var (sinkA, sinkB) = (new RecordingSink(), new RecordingSink());
        await using var a = await database.StartHostAsync(sinkA);
        await using var b = await database.StartHostAsync(sinkB);
        var due = a.Clock.GetUtcNow().AddDays(2);
        var timers = Enumerable.Range(0, count).Select(_ => (Guid.NewGuid(), Guid.NewGuid(), due)).ToArray();
        await TimerInternals.ScheduleAsync(a.Services, timers[..(count / 2)]);
        await TimerInternals.ScheduleAsync(b.Services, timers[(count / 2)..]);

        a.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        b.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();
        await Eventually.HoldsAsync(() => sinkA.Total + sinkB.Total >= count, $"{count} timers fired", TimeSpan.FromSeconds(60));
        Output.WriteLine($"two nodes: {count} fired in {watch.ElapsedMilliseconds} ms, {sinkA.Total} on A and {sinkB.Total} on B");
        await Task.Delay(TimeSpan.FromSeconds(3));

        foreach (var (bookmark, _, _) in timers)
        {
            Assert.Equal(1, sinkA.FiresOf(bookmark) + sinkB.FiresOf(bookmark));
        }

        Assert.Equal(count, sinkA.Total + sinkB.Total);
    }
}
