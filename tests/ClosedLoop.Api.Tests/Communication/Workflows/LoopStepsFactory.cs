using System.Reflection;
using System.Text.Json;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Communication;
using ClosedLoop.Persistence;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Tests.Communication.Workflows;

/// <summary>A host whose clock tests can move, for running the Communication module's loop steps directly.</summary>
public interface ILoopStepsFactory
{
    ShiftedClock Clock { get; }
}

public sealed class SqliteLoopStepsFactory : SqliteApiFactory, ILoopStepsFactory
{
    public ShiftedClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => LoopSteps.ConfigureServices(s, Clock));
    }
}

public sealed class PostgresLoopStepsFactory : PostgresApiFactory, ILoopStepsFactory
{
    public ShiftedClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => LoopSteps.ConfigureServices(s, Clock));
    }
}

/// <summary>Runs one loop step the way the engine will: a handler from the scope's <see cref="IActivityHandler"/>s, with a context of its own.</summary>
internal static class LoopSteps
{
    public static void ConfigureServices(IServiceCollection services, ShiftedClock clock)
    {
        services.AddSingleton<TimeProvider>(clock);
    }

    public static async Task<ActivityResult> RunAsync(
        this ApiFactory factory, string type, Guid caseId, object inputs, string? stepKey = null, Guid? instanceId = null, string activityId = "step", DateTimeOffset? now = null)
    {
        using var scope = factory.Services.CreateScope();
        var handler = scope.ServiceProvider.GetServices<IActivityHandler>().Single(h => h.ActivityType == type);
        var values = JsonSerializer.SerializeToElement(inputs).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        var instance = instanceId ?? Guid.NewGuid();
        var context = new ActivityExecutionContext(
            instance,
            "test-loop",
            1,
            caseId,
            new WorkflowActivity(activityId, type, null, new Dictionary<string, WorkflowExpression>()),
            stepKey ?? $"{instance:N}:{activityId}:1",
            now ?? scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(),
            values,
            new Dictionary<string, JsonElement>(),
            scope.ServiceProvider);
        return await handler.ExecuteAsync(context, CancellationToken.None);
    }

    public static JsonElement Output(this ActivityResult result, string port = "Done")
    {
        var completed = Assert.IsType<ActivityResult.Completed>(result);
        Assert.Equal(port, completed.Port);
        return completed.Output!.Value;
    }

    /// <summary>Rows of a module's table, one column as text, by raw SQL (the module's context is internal).</summary>
    public static async Task<List<string>> ColumnAsync(this ApiFactory factory, string module, string table, string column, string where)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ClosedLoop.Api.Platform.Data.PlatformDbContext>();
        var name = factory.Provider == DatabaseProvider.Sqlite ? $"{module}_{table}" : $"{module}.{table}";
        var sql = "SELECT \"" + column + "\" AS \"Value\" FROM " + name + " WHERE " + where;
        return await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
    }

    /// <summary>A survey token for any ticket (e.g. one that expired), signed as the module signs them.</summary>
    public static string SurveyToken(IServiceProvider services, Guid instanceId, string activityId, Guid caseId, Guid customerId, DateTimeOffset expiresAt)
    {
        var module = typeof(CommunicationModule).Assembly;
        var links = services.GetRequiredService(module.GetType("ClosedLoop.Communication.Features.Surveys.SurveyLinks", throwOnError: true)!);
        var ticketType = module.GetType("ClosedLoop.Communication.Features.Surveys.SurveyTicket", throwOnError: true)!;
        var ticket = Activator.CreateInstance(ticketType, instanceId, activityId, caseId, customerId, expiresAt)!;
        var create = links.GetType().GetMethod("CreateToken", BindingFlags.Public | BindingFlags.Instance) ?? throw new MissingMethodException("SurveyLinks", "CreateToken");
        return (string)create.Invoke(links, [ticket])!;
    }
}
