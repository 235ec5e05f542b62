using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using ClosedLoop.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using static ClosedLoop.Api.Tests.Workflows.Runtime.Loops;

namespace ClosedLoop.Api.Tests.Workflows.Runtime;

/// <summary>
/// What the runtime promises across hosts: instances waiting on events and timers when their host stops resume after a
/// restart, none twice, and a timer that fell due while no host ran fires once at start; two hosts on one database run
/// every step of many loops exactly once.
/// </summary>
public abstract class DurabilityTests(DatabaseProvider provider)
{
    [Fact]
    public async Task A_host_stopped_while_loops_wait_on_events_and_timers_resumes_them_all_after_restart_none_twice()
    {
        await using var database = await SharedDatabase.CreateAsync(provider);
        var clock = new ShiftedClock();
        var activities = new TestActivities();
        var (eventLoop, timerLoop) = (NewId(), NewId());
        var waitingOnEvents = new List<(Guid Instance, Guid Case)>();
        var waitingOnTimers = new List<Guid>();
        await using (var first = Host(database, clock, activities))
        {
            var admin = first.Client(ApiFactory.AdminKey);
            await admin.PublishAsync(Loop(eventLoop,
                [Activity("start", "Start"), Activity("wait", TestActivities.Wait, ("key", "restart")), Activity("count", TestActivities.Count), Activity("end", "End")],
                [Connect("start", "wait"), Connect("wait", "count"), Connect("count", "end")]));
            await admin.PublishAsync(Loop(timerLoop,
                [Activity("start", "Start"), Activity("later", "Delay", ("duration", "1.00:00:00")), Activity("count", TestActivities.Count), Activity("end", "End")],
                [Connect("start", "later"), Connect("later", "count"), Connect("count", "end")]));
            var runtime = first.Services.GetRequiredService<IWorkflowRuntime>();
            for (var i = 0; i < 10; i++)
            {
                var caseId = Guid.NewGuid();
                waitingOnEvents.Add((await runtime.StartAsync(new WorkflowStartRequest(eventLoop, caseId)), caseId));
                waitingOnTimers.Add(await runtime.StartAsync(new WorkflowStartRequest(timerLoop, Guid.NewGuid())));
            }

            foreach (var id in waitingOnTimers.Concat(waitingOnEvents.Select(e => e.Instance)))
            {
                await admin.InstanceAsync(id, x => x.Status() == "waiting");
            }
        }

        // While no host runs, the timers fall due.
        clock.Advance(TimeSpan.FromDays(2));
        await using var second = Host(database, clock, activities);
        var again = second.Client(ApiFactory.AdminKey);
        var resumer = second.Services.GetRequiredService<IWorkflowRuntime>();
        foreach (var (_, caseId) in waitingOnEvents)
        {
            // Delivered twice, as an at-least-once bus would after a restart.
            Assert.Equal(1, await resumer.ResumeAsync(new WorkflowStimulus("test", TestActivities.KeyOf("restart", caseId))));
            Assert.Equal(0, await resumer.ResumeAsync(new WorkflowStimulus("test", TestActivities.KeyOf("restart", caseId))));
        }

        foreach (var id in waitingOnTimers.Concat(waitingOnEvents.Select(e => e.Instance)))
        {
            var done = await again.InstanceAsync(id, x => x.Status() == "completed");
            Assert.Equal(1, activities.Runs[$"{id:N}:count"]);
            Assert.Single(done.Log(), e => e.Activity is "wait" or "later" && e.Outcome == "resumed");
        }
    }

    [Fact]
    public async Task The_log_of_a_loop_finished_longer_ago_than_the_retention_is_deleted_and_a_waiting_loop_keeps_its_log()
    {
        await using var database = await SharedDatabase.CreateAsync(provider);
        var clock = new ShiftedClock();
        var activities = new TestActivities();
        var (done, waiting) = (NewId(), NewId());
        await using var host = Host(database, clock, activities, new Dictionary<string, string?>
        {
            ["Workflows:Runtime:LogRetention"] = "1.00:00:00",
            ["Workflows:Runtime:LogRetentionInterval"] = "00:00:00.200",
        });
        var admin = host.Client(ApiFactory.AdminKey);
        await admin.PublishAsync(Loop(done, [Activity("start", "Start"), Activity("count", TestActivities.Count), Activity("end", "End")], [Connect("start", "count"), Connect("count", "end")]));
        await admin.PublishAsync(Loop(waiting, [Activity("start", "Start"), Activity("wait", TestActivities.Wait, ("key", "never")), Activity("end", "End")], [Connect("start", "wait"), Connect("wait", "end")]));
        var runtime = host.Services.GetRequiredService<IWorkflowRuntime>();
        var finished = await runtime.StartAsync(new WorkflowStartRequest(done, Guid.NewGuid()));
        var open = await runtime.StartAsync(new WorkflowStartRequest(waiting, Guid.NewGuid()));
        Assert.NotEmpty((await admin.InstanceAsync(finished, i => i.Status() == "completed")).Log());
        Assert.NotEmpty((await admin.InstanceAsync(open, i => i.Status() == "waiting")).Log());

        clock.Advance(TimeSpan.FromDays(2));
        var pruned = await admin.InstanceAsync(finished, i => !i.Log().Any());
        Assert.Equal("completed", pruned.Status());
        Assert.NotEmpty((await admin.GetFromJsonAsync<JsonElement>($"{Instances}/{open}")).Log());
    }

    /// <summary>
    /// Both hosts start loops (a count, a one-second timer, another count) and both run them: the runner's lease and
    /// revision and the clustered Quartz store must run every step exactly once between them.
    /// </summary>
    protected async Task Two_hosts_on_one_database_run_every_step_of_many_loops_exactly_once(int loops)
    {
        await using var database = await SharedDatabase.CreateAsync(provider);
        var clock = new ShiftedClock();
        var activities = new TestActivities();
        var id = NewId();
        await using var first = Host(database, clock, activities);
        await using var second = Host(database, clock, activities);
        var admin = first.Client(ApiFactory.AdminKey);
        _ = second.Client(ApiFactory.AdminKey);
        await admin.PublishAsync(Loop(id,
            [
                Activity("start", "Start"), Activity("before", TestActivities.Count), Activity("tick", "Delay", ("duration", "00:00:01")),
                Activity("after", TestActivities.Count), Activity("end", "End"),
            ],
            [Connect("start", "before"), Connect("before", "tick"), Connect("tick", "after"), Connect("after", "end")]));
        var runtimes = new[] { first.Services.GetRequiredService<IWorkflowRuntime>(), second.Services.GetRequiredService<IWorkflowRuntime>() };
        var started = await Task.WhenAll(Enumerable.Range(0, loops).Select(i => runtimes[i % 2].StartAsync(new WorkflowStartRequest(id, Guid.NewGuid()))));
        Assert.Equal(loops, started.Distinct().Count());

        var deadline = DateTime.UtcNow.AddMinutes(5);
        int completed;
        while ((completed = await CountAsync(admin, id, "completed")) < loops)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{completed} of {loops} loops completed within 5 minutes.");
            await Task.Delay(500);
        }

        foreach (var instance in started)
        {
            Assert.Equal((1, 1), (activities.Runs[$"{instance:N}:before"], activities.Runs[$"{instance:N}:after"]));
        }

        Assert.Equal(0, await CountAsync(admin, id, "faulted"));
    }

    private static async Task<int> CountAsync(HttpClient admin, string definitionId, string status)
    {
        var total = 0;
        string? cursor = null;
        do
        {
            var page = await admin.GetFromJsonAsync<JsonElement>($"{Instances}?definitionId={definitionId}&status={status}&pageSize=500" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            total += page.GetProperty("items").GetArrayLength();
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return total;
    }

    /// <summary>A host on the test's database running loops, with the clock and test activities every host of the test shares.</summary>
    private static SharedDatabaseFactory Host(SharedDatabase database, ShiftedClock clock, TestActivities activities, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        WorkflowHosts.Enable(settings);
        return database.Host(settings, s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            TestActivities.Register(s, activities);
        });
    }

    private static string NewId() => "dur-" + Guid.NewGuid().ToString("N")[..10];
}

public sealed class SqliteDurabilityTests() : DurabilityTests(DatabaseProvider.Sqlite);

public sealed class PostgresDurabilityTests() : DurabilityTests(DatabaseProvider.PostgreSql)
{
    [Fact]
    public Task Two_hosts_on_one_PostgreSQL_run_every_step_of_1000_loops_exactly_once() =>
        Two_hosts_on_one_database_run_every_step_of_many_loops_exactly_once(1_000);
}
