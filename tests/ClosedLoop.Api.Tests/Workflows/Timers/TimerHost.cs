using System.Collections.Concurrent;
using System.Reflection;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace ClosedLoop.Api.Tests.Workflows.Timers;

/// <summary>
/// The workflow runtime's timer types, reached by reflection: they are internal to ClosedLoop.Workflows, whose only
/// friend is its own test project (architecture rule), and these tests need the whole host on a real database.
/// </summary>
internal static class TimerInternals
{
    private static readonly Assembly Workflows = typeof(ClosedLoop.Workflows.Store.WorkflowStoreModule).Assembly;
    private const string Namespace = "ClosedLoop.Workflows.Runtime.Timers.";

    public static readonly Type SchedulerType = Workflows.GetType(Namespace + "IWorkflowTimerScheduler", throwOnError: true)!;
    public static readonly Type SinkType = Workflows.GetType(Namespace + "IWorkflowTimerSink", throwOnError: true)!;
    private static readonly Type TimerType = Workflows.GetType(Namespace + "WorkflowTimer", throwOnError: true)!;

    public static Task ScheduleAsync(IServiceProvider services, params (Guid Bookmark, Guid Instance, DateTimeOffset Due)[] timers)
    {
        var array = Array.CreateInstance(TimerType, timers.Length);
        for (var i = 0; i < timers.Length; i++)
        {
            array.SetValue(Activator.CreateInstance(TimerType, timers[i].Bookmark, timers[i].Instance, timers[i].Due), i);
        }

        var scheduler = services.GetRequiredService(SchedulerType);
        return (Task)SchedulerType.GetMethod("ScheduleAsync")!.Invoke(scheduler, [array, CancellationToken.None])!;
    }

    public static Task UnscheduleAsync(IServiceProvider services, params Guid[] bookmarkIds)
    {
        var scheduler = services.GetRequiredService(SchedulerType);
        return (Task)SchedulerType.GetMethod("UnscheduleAsync")!.Invoke(scheduler, [bookmarkIds, CancellationToken.None])!;
    }

    /// <summary>An <c>IWorkflowTimerSink</c> that forwards to <paramref name="sink"/>.</summary>
    public static object Sink(RecordingSink sink)
    {
        var proxy = DispatchProxy.Create(SinkType, typeof(SinkProxy));
        ((SinkProxy)proxy).Target = sink;
        return proxy;
    }
}

/// <summary>Stands in for the engine's sink (a DispatchProxy, since the interface is internal).</summary>
public class SinkProxy : DispatchProxy
{
    internal RecordingSink? Target { get; set; }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        Target!.FireAsync((Guid)args![0]!, (Guid)args[1]!, (CancellationToken)args[2]!);
}

/// <summary>What the engine would have been told: every FireAsync, counted per bookmark; can fail a bookmark's first calls.</summary>
public sealed class RecordingSink
{
    private readonly ConcurrentDictionary<Guid, int> _fires = new();
    private readonly ConcurrentDictionary<Guid, int> _failuresLeft = new();
    private int _total;

    public int Total => Volatile.Read(ref _total);

    public int FiresOf(Guid bookmarkId) => _fires.GetValueOrDefault(bookmarkId);

    public IReadOnlyDictionary<Guid, int> Fires => _fires;

    public void FailFirst(Guid bookmarkId, int times) => _failuresLeft[bookmarkId] = times;

    public Task FireAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _total);
        _fires.AddOrUpdate(bookmarkId, 1, (_, n) => n + 1);
        if (_failuresLeft.TryGetValue(bookmarkId, out var left) && left > 0)
        {
            _failuresLeft[bookmarkId] = left - 1;
            throw new InvalidOperationException($"The sink fails bookmark {bookmarkId} ({left} more time(s)).");
        }

        return Task.CompletedTask;
    }
}

/// <summary>A real host on a database the test chose (so several hosts, one after another or side by side, share it), with its own moveable clock and a recording sink.</summary>
public sealed class TimerHost(DatabaseProvider provider, string connectionString, RecordingSink sink, IDictionary<string, string?>? settings = null) : ApiFactory
{
    public override DatabaseProvider Provider => provider;

    public ShiftedClock Clock { get; } = new();

    public RecordingSink Sink => sink;

    /// <summary>Starts the host (migrations, then the scheduler).</summary>
    public override Task InitializeAsync()
    {
        ConnectionString = connectionString;
        _ = Services;
        return Task.CompletedTask;
    }

    protected override void Configure(IDictionary<string, string?> values)
    {
        values["Workflows:SeedOnStartup"] = "false";
        WorkflowHosts.Enable(values);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton(TimerInternals.SinkType, TimerInternals.Sink(sink)));
    }
}

internal static class TimerHosts
{
    /// <summary>Starts a timer host on <paramref name="database"/> (a fresh one per test, shared by the hosts the test starts).</summary>
    public static async Task<TimerHost> StartHostAsync(this SharedDatabase database, RecordingSink sink, IDictionary<string, string?>? settings = null)
    {
        var host = new TimerHost(database.Provider, database.ConnectionString, sink, settings);
        await host.InitializeAsync();
        return host;
    }
}

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="within"/> (default 30 s) passes.</summary>
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Not within {(within ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s: {what}");
            }

            await Task.Delay(50);
        }
    }
}
