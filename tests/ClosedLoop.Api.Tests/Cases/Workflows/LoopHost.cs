using System.Collections.Concurrent;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace ClosedLoop.Api.Tests.Cases.Workflows;

/// <summary>The workflow runtime as the case detail sees it: the loops a test says a case has.</summary>
public sealed class FakeWorkflowRuntime : IWorkflowRuntime
{
    public ConcurrentDictionary<Guid, IReadOnlyList<WorkflowInstanceSummary>> Loops { get; } = new();

    public Task<Guid> StartAsync(WorkflowStartRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException("The case detail only reads loops.");

    public Task<int> ResumeAsync(WorkflowStimulus stimulus, CancellationToken cancellationToken = default) => Task.FromResult(0);

    public Task<IReadOnlyList<WorkflowInstanceSummary>> ForCorrelationAsync(Guid correlationId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Loops.GetValueOrDefault(correlationId) ?? []);
}

public interface ILoopFactory : ICasesFactory
{
    FakeWorkflowRuntime Runtime { get; }
}

public sealed class SqliteLoopFactory : SqliteCasesFactory, ILoopFactory
{
    public FakeWorkflowRuntime Runtime { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<IWorkflowRuntime>(Runtime));
    }
}

public sealed class PostgresLoopFactory : PostgresCasesFactory, ILoopFactory
{
    public FakeWorkflowRuntime Runtime { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<IWorkflowRuntime>(Runtime));
    }
}

/// <summary>Runs one of the Cases module's activity handlers the way the engine does: in a scope of its own, by activity type.</summary>
internal static class LoopSteps
{
    public const string Loop = "detractor-recovery";

    public static async Task<ActivityResult> RunAsync(
        this ApiFactory factory, Guid caseId, string type, string stepKey, DateTimeOffset? now = null, Guid? instanceId = null, params (string Name, object Value)[] inputs)
    {
        using var scope = factory.Services.CreateScope();
        var handler = scope.ServiceProvider.GetServices<IActivityHandler>().Single(h => h.ActivityType == type);
        var context = new ActivityExecutionContext(
            instanceId ?? Guid.CreateVersion7(),
            Loop,
            1,
            caseId,
            new WorkflowActivity("step-" + type.ToLowerInvariant(), type, "A step", new Dictionary<string, WorkflowExpression>()),
            stepKey,
            now ?? DateTimeOffset.UtcNow,
            inputs.ToDictionary(i => i.Name, i => JsonSerializer.SerializeToElement(i.Value)),
            new Dictionary<string, JsonElement>(),
            scope.ServiceProvider);
        return await handler.ExecuteAsync(context, CancellationToken.None);
    }

    public static string Port(this ActivityResult result) => Assert.IsType<ActivityResult.Completed>(result).Port;

    /// <summary>The case once its timeline has an entry of <paramref name="kind"/> (waits for events to be handled).</summary>
    public static async Task<JsonElement> CaseWithAsync(this HttpClient reader, Guid caseId, string kind)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = await reader.GetCaseAsync(caseId);
            if (found.Kinds().Contains(kind) || DateTime.UtcNow > deadline)
            {
                Assert.Contains(kind, found.Kinds());
                return found;
            }

            await Task.Delay(100);
        }
    }
}
