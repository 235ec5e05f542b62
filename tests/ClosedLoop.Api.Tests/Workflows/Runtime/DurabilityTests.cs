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

    /// <summary>A host on the test's database running loops, with the clock and test activities every host of the test shares.</summary>
    private static SharedDatabaseFactory Host(SharedDatabase database, ShiftedClock clock, TestActivities activities)
    {
        var settings = new Dictionary<string, string?>();
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

public sealed class PostgresDurabilityTests() : DurabilityTests(DatabaseProvider.PostgreSql);
