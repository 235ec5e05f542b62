using ClosedLoop.Persistence;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>The timers' Quartz scheduler: a persistent job store in the app's database, started and stopped with the host.</summary>
internal static class WorkflowTimerServiceCollectionExtensions
{
    /// <summary>
    /// The same on every node: Quartz's cluster identity is the scheduler name in its tables (SCHED_NAME), so every
    /// host on one PostgreSQL or SQL Server database joins one cluster. Several hosts in one process (tests) do not
    /// collide: Quartz 4.7 keeps its scheduler repository per container, not per process, and this is a named
    /// scheduler (a keyed service), so it leaves the container's unkeyed <see cref="IScheduler"/> to the app.
    /// </summary>
    public const string SchedulerName = "closedloop-workflow-timers";

    internal static IServiceCollection AddWorkflowTimers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(WorkflowTimerOptions.Section);
        services.AddOptions<WorkflowTimerOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkflowTimerOptions>, WorkflowTimerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWorkflowTimerScheduler, QuartzWorkflowTimerScheduler>();
        services.TryAddTransient<WorkflowTimerJob>();

        // Quartz is composed now, before the container exists, so the store reads the same settings the options bind
        // (and validate at start-up, where a bad value stops the host).
        var timers = section.Get<WorkflowTimerOptions>() ?? new WorkflowTimerOptions();
        var database = DatabaseOptions.From(configuration);
        services.AddQuartz(SchedulerName, quartz =>
        {
            // Quartz takes the container's TimeProvider (the app's; tests move it): due times, misfires and retries
            // are read from that clock, while the scheduler's sleeps (IdleWait) are real time.
            quartz.UseDefaultThreadPool(Math.Max(1, timers.ThreadCount));
            quartz.ConfigureScheduler(s =>
            {
                s.IdleWaitTime = timers.IdleWait;
                s.MaxBatchSize = timers.BatchSize;
            });
            quartz.UsePersistentStore(store =>
            {
                switch (database.Provider)
                {
                    case DatabaseProvider.Sqlite:
                        // SQLite has one writer and no row locks: a single node, never clustered.
                        store.UseSqlite(new SqliteBusyTimeoutFactory(TimeSpan.FromSeconds(database.CommandTimeoutSeconds)), database.ConnectionString);
                        break;
                    case DatabaseProvider.PostgreSql:
                        store.UsePostgres(NpgsqlFactory.Instance, database.ConnectionString);
                        store.UseClustering(_ => { });
                        quartz.UseInstanceIdGenerator(new UniqueInstanceIdGenerator());
                        break;
                    case DatabaseProvider.SqlServer:
                        store.UseSqlServer(SqlClientFactory.Instance, database.ConnectionString);
                        store.UseClustering(_ => { });
                        quartz.UseInstanceIdGenerator(new UniqueInstanceIdGenerator());
                        break;
                    default:
                        throw new NotSupportedException($"Database provider '{database.Provider}' is not supported.");
                }

                store.ConfigureStore(o =>
                {
                    o.TablePrefix = QuartzSchema.TablePrefix(database.Provider);
                    // The QuartzScheduler migrations create the tables; Quartz only checks they are there.
                    o.SchemaProvisioning = SchemaProvisioning.Validate;
                    // Job data is two ids: readable rows, no serializer.
                    o.StoreJobDataAsStrings = true;
                    o.MisfireThreshold = timers.MisfireThreshold;
                    o.MisfireHandlerFrequency = timers.IdleWait;
                });
            });
        });

        // Started by our own hosted service, in the background: a host whose database is not migrated yet (no Quartz
        // tables) must still start, answer /health with the pending migrations, and begin firing once they are applied.
        services.AddHostedService<WorkflowTimerHost>();
        return services;
    }

    /// <summary>
    /// Quartz's own generator is host name + current time, which two hosts of one process starting in the same tick
    /// would share; a cluster node whose id another live node also has would recover that node's firings as its own.
    /// </summary>
    private sealed class UniqueInstanceIdGenerator : Quartz.Extensibility.IInstanceIdGenerator
    {
        public ValueTask<string> GenerateInstanceId(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult($"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}");
    }
}

internal sealed class WorkflowTimerOptionsValidator : IValidateOptions<WorkflowTimerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkflowTimerOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
