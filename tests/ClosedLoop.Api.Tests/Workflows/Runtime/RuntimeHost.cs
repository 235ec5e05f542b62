using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Api.Tests.Workflows.Runtime;

/// <summary>
/// Test activities the engine knows nothing of, registered the way a module registers its own: a wait on a "test"
/// stimulus, a step that faults while <see cref="Flaky"/> is on, and a step that counts how often each step key ran.
/// </summary>
public sealed class TestActivities
{
    public const string Wait = "TestWait";
    public const string MaybeFail = "TestMaybeFail";
    public const string Count = "TestCount";

    public volatile bool Flaky;

    public ConcurrentDictionary<string, int> Runs { get; } = new();

    /// <summary>The stimulus key that resumes a TestWait with input <paramref name="key"/> in the instance for <paramref name="correlationId"/>.</summary>
    public static string KeyOf(string key, Guid correlationId) => $"{key}:{correlationId:N}";

    public static void Register(IServiceCollection services, TestActivities activities)
    {
        services.AddSingleton(activities);
        services.AddWorkflowActivity(new ActivityDescriptor(Wait, "Waits for a test stimulus.", [new("key", InputType.String, true, "The stimulus key.")], ["Done"], ActivityKind.Wait));
        services.AddWorkflowActivity(new ActivityDescriptor(MaybeFail, "Faults while the test says so.", [], ["Done"], ActivityKind.Normal));
        services.AddWorkflowActivity(new ActivityDescriptor(Count, "Counts its runs.", [], ["Done"], ActivityKind.Normal));
        services.AddWorkflowActivityHandler<WaitHandler>();
        services.AddWorkflowActivityHandler<MaybeFailHandler>();
        services.AddWorkflowActivityHandler<CountHandler>();
    }

    private sealed class WaitHandler : IActivityHandler
    {
        public string ActivityType => Wait;

        public ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ActivityResult.Wait(new BookmarkRequest("test", KeyOf(context.String("key")!, context.CorrelationId), null)));
    }

    private sealed class MaybeFailHandler(TestActivities activities) : IActivityHandler
    {
        public string ActivityType => MaybeFail;

        public ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(activities.Flaky ? ActivityResult.Fault("The test made this step fail.") : ActivityResult.Complete());
    }

    private sealed class CountHandler(TestActivities activities) : IActivityHandler
    {
        public string ActivityType => Count;

        public ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
        {
            activities.Runs.AddOrUpdate($"{context.InstanceId:N}:{context.Activity.Id}", 1, (_, n) => n + 1);
            return ValueTask.FromResult(ActivityResult.Complete());
        }
    }
}

public interface IRuntimeFactory : ICasesFactory
{
    TestActivities Activities { get; }
}

/// <summary>A host that runs loops (the runner and the timers on), with the test activities and the Cases host's clock.</summary>
public sealed class SqliteRuntimeFactory : SqliteCasesFactory, IRuntimeFactory
{
    public TestActivities Activities { get; } = new();

    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        WorkflowHosts.Enable(settings);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => TestActivities.Register(s, Activities));
    }
}

public sealed class PostgresRuntimeFactory : PostgresCasesFactory, IRuntimeFactory
{
    public TestActivities Activities { get; } = new();

    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        WorkflowHosts.Enable(settings);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => TestActivities.Register(s, Activities));
    }
}

/// <summary>Loops written in tests, published through the API, and instances read through it.</summary>
internal static class Loops
{
    public const string Definitions = "/api/v1/workflow-definitions";
    public const string Instances = "/api/v1/workflow-instances";

    public static JsonObject Activity(string id, string type, params (string Input, JsonNode Value)[] inputs)
    {
        var a = new JsonObject { ["id"] = id, ["type"] = type };
        foreach (var (input, value) in inputs)
        {
            a[input] = new JsonObject { ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = value } };
        }

        return a;
    }

    public static JsonObject Expression(string id, string type, string input, string code)
    {
        var a = new JsonObject { ["id"] = id, ["type"] = type };
        a[input] = new JsonObject { ["expression"] = new JsonObject { ["type"] = "Expression", ["value"] = code } };
        return a;
    }

    public static JsonObject Connect(string from, string to, string port = "Done") => new()
    {
        ["source"] = new JsonObject { ["activity"] = from, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" },
    };

    public static JsonObject Loop(string id, JsonArray activities, JsonArray connections, JsonArray? variables = null) => new()
    {
        ["definitionId"] = id,
        ["name"] = "Test loop " + id,
        ["variables"] = variables ?? [],
        ["root"] = new JsonObject { ["type"] = "Flowchart", ["activities"] = activities, ["connections"] = connections },
    };

    public static async Task<int> PublishAsync(this HttpClient admin, JsonObject loop)
    {
        var id = loop["definitionId"]!.GetValue<string>();
        var saved = await admin.PutAsync($"{Definitions}/{id}", new StringContent(loop.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var published = await admin.PostAsync($"{Definitions}/{id}/publish", null);
        Assert.True(published.StatusCode == HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        return (await published.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
    }

    /// <summary>Polls the instance until <paramref name="until"/> holds (60 s: a loaded 2-core CI host is slow, never wrong).</summary>
    public static async Task<JsonElement> InstanceAsync(this HttpClient admin, Guid id, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await admin.GetFromJsonAsync<JsonElement>($"{Instances}/{id}");
            if (until(last))
            {
                return last;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Instance {id} never reached the expected state; last seen: {last}");
        return last;
    }

    public static string Status(this JsonElement instance) => instance.GetProperty("status").GetString()!;

    public static IEnumerable<string> Waiting(this JsonElement instance) =>
        instance.GetProperty("waitingOn").EnumerateArray().Select(b => b.GetProperty("activityId").GetString()!);

    public static IEnumerable<(string Activity, string Outcome)> Log(this JsonElement instance) =>
        instance.GetProperty("log").EnumerateArray().Select(e => (e.GetProperty("activityId").GetString()!, e.GetProperty("outcome").GetString()!));
}
