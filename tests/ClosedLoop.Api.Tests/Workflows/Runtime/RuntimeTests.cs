using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using static ClosedLoop.Api.Tests.Workflows.Runtime.Loops;

namespace ClosedLoop.Api.Tests.Workflows.Runtime;

/// <summary>
/// The runtime through its public surface: loops published through the API, started and resumed through
/// <see cref="IWorkflowRuntime"/> (what modules call), read, retried and cancelled through <c>/api/v1/workflow-instances</c>.
/// </summary>
public abstract class RuntimeTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, IRuntimeFactory
{
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    private IWorkflowRuntime Runtime => factory.Services.GetRequiredService<IWorkflowRuntime>();

    [Fact]
    public async Task A_loop_runs_decision_wait_fork_and_join_and_a_stimulus_sent_twice_at_once_resumes_it_once()
    {
        var id = NewId();
        var key = Guid.NewGuid().ToString("N");
        await _admin.PublishAsync(Loop(id,
            [
                Activity("start", "Start"),
                WithExpression(Activity("set", "SetVariable", ("variable", "attempts")), "value", "attempts + 1"),
                Expression("check", "FlowDecision", "condition", "attempts == 1"),
                Activity("wait", TestActivities.Wait, ("key", key)),
                Activity("fork", "FlowFork"),
                Activity("left", TestActivities.Count),
                Activity("right", TestActivities.Count),
                Activity("join", "FlowJoin", ("mode", "WaitAll")),
                Activity("end", "End"),
                Activity("wrong", "End"),
            ],
            [
                Connect("start", "set"), Connect("set", "check"), Connect("check", "wait", "True"), Connect("check", "wrong", "False"),
                Connect("wait", "fork"), Connect("fork", "left"), Connect("fork", "right"), Connect("left", "join"), Connect("right", "join"),
                Connect("join", "end"),
            ],
            [new JsonObject { ["name"] = "attempts", ["type"] = "Number", ["value"] = 0 }]));

        var caseId = Guid.NewGuid();
        var instanceId = await Runtime.StartAsync(new WorkflowStartRequest(id, caseId));
        Assert.Equal(instanceId, await Runtime.StartAsync(new WorkflowStartRequest(id, caseId)));
        var waiting = await _admin.InstanceAsync(instanceId, i => i.Status() == "waiting");
        Assert.Equal(["wait"], waiting.Waiting());
        Assert.Equal(1, waiting.GetProperty("variables").GetProperty("attempts").GetDecimal());

        var resumed = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Runtime.ResumeAsync(new WorkflowStimulus("test", TestActivities.KeyOf(key, caseId)))));
        Assert.Equal(1, resumed.Sum());

        var done = await _admin.InstanceAsync(instanceId, i => i.Status() == "completed");
        Assert.Empty(done.Waiting());
        Assert.Equal(1, factory.Activities.Runs[$"{instanceId:N}:left"]);
        Assert.Equal(1, factory.Activities.Runs[$"{instanceId:N}:right"]);
        var log = done.Log().ToList();
        Assert.Contains(("wait", "resumed"), log);
        Assert.Contains(("join", "joined"), log);
        Assert.Contains(("end", "completed"), log);
        Assert.DoesNotContain(log, e => e.Activity == "wrong");
        Assert.Equal(0, await Runtime.ResumeAsync(new WorkflowStimulus("test", TestActivities.KeyOf(key, caseId))));

        var list = await _admin.GetFromJsonAsync<JsonElement>($"{Instances}?caseId={caseId}");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(("completed", id), (item.GetProperty("status").GetString(), item.GetProperty("definitionId").GetString()));
        var summaries = await Runtime.ForCorrelationAsync(caseId);
        Assert.Equal("completed", Assert.Single(summaries).Status);
    }

    [Fact]
    public async Task Publishing_version_two_leaves_a_running_version_one_instance_on_version_one()
    {
        var id = NewId();
        var key = Guid.NewGuid().ToString("N");
        Assert.Equal(1, await _admin.PublishAsync(Loop(id,
            [Activity("start", "Start"), Activity("wait-v1", TestActivities.Wait, ("key", key)), Activity("count-v1", TestActivities.Count), Activity("end", "End")],
            [Connect("start", "wait-v1"), Connect("wait-v1", "count-v1"), Connect("count-v1", "end")])));
        var (firstCase, secondCase) = (Guid.NewGuid(), Guid.NewGuid());
        var first = await Runtime.StartAsync(new WorkflowStartRequest(id, firstCase));
        await _admin.InstanceAsync(first, i => i.Status() == "waiting");

        Assert.Equal(2, await _admin.PublishAsync(Loop(id,
            [Activity("start", "Start"), Activity("wait-v2", TestActivities.Wait, ("key", key)), Activity("count-v2", TestActivities.Count), Activity("end", "End")],
            [Connect("start", "wait-v2"), Connect("wait-v2", "count-v2"), Connect("count-v2", "end")])));
        var second = await Runtime.StartAsync(new WorkflowStartRequest(id, secondCase));
        await _admin.InstanceAsync(second, i => i.Status() == "waiting");

        Assert.Equal(1, await Runtime.ResumeAsync(new WorkflowStimulus("test", TestActivities.KeyOf(key, firstCase))));
        Assert.Equal(1, await Runtime.ResumeAsync(new WorkflowStimulus("test", TestActivities.KeyOf(key, secondCase))));
        var v1 = await _admin.InstanceAsync(first, i => i.Status() == "completed");
        var v2 = await _admin.InstanceAsync(second, i => i.Status() == "completed");
        Assert.Equal((1, 2), (v1.GetProperty("version").GetInt32(), v2.GetProperty("version").GetInt32()));
        Assert.Contains(("count-v1", "completed"), v1.Log());
        Assert.Contains(("count-v2", "completed"), v2.Log());
    }

    [Fact]
    public async Task A_faulting_step_raises_an_incident_and_a_retry_after_the_fix_completes_the_instance()
    {
        var id = NewId();
        await _admin.PublishAsync(Loop(id,
            [Activity("start", "Start"), Activity("fragile", TestActivities.MaybeFail), Activity("count", TestActivities.Count), Activity("end", "End")],
            [Connect("start", "fragile"), Connect("fragile", "count"), Connect("count", "end")]));
        factory.Activities.Flaky = true;
        Guid instanceId;
        JsonElement faulted;
        try
        {
            instanceId = await Runtime.StartAsync(new WorkflowStartRequest(id, Guid.NewGuid()));
            faulted = await _admin.InstanceAsync(instanceId, i => i.Status() == "faulted");
        }
        finally
        {
            factory.Activities.Flaky = false;
        }

        var incident = Assert.Single(faulted.GetProperty("incidents").EnumerateArray());
        Assert.Equal("fragile", incident.GetProperty("activityId").GetString());
        Assert.Contains("made this step fail", incident.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["fragile"], faulted.GetProperty("position").EnumerateArray().Select(p => p.GetString()));
        var listed = await _admin.GetFromJsonAsync<JsonElement>($"{Instances}?definitionId={id}&status=faulted");
        Assert.Single(listed.GetProperty("items").EnumerateArray());

        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"{Instances}/{instanceId}/retry", null)).StatusCode);
        var done = await _admin.InstanceAsync(instanceId, i => i.Status() == "completed");
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("incidents")[0].GetProperty("resolvedAt").ValueKind);
        Assert.Equal(1, factory.Activities.Runs[$"{instanceId:N}:count"]);
        await (await _admin.PostAsync($"{Instances}/{instanceId}/retry", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_cancelled_instance_waits_on_nothing_and_a_later_stimulus_resumes_nothing()
    {
        var id = NewId();
        var key = Guid.NewGuid().ToString("N");
        await _admin.PublishAsync(Loop(id,
            [Activity("start", "Start"), Activity("wait", TestActivities.Wait, ("key", key)), Activity("end", "End")],
            [Connect("start", "wait"), Connect("wait", "end")]));
        var caseId = Guid.NewGuid();
        var instanceId = await Runtime.StartAsync(new WorkflowStartRequest(id, caseId));
        await _admin.InstanceAsync(instanceId, i => i.Status() == "waiting");

        var cancelled = await _admin.PostAsync($"{Instances}/{instanceId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var read = await _admin.GetFromJsonAsync<JsonElement>($"{Instances}/{instanceId}");
        Assert.Equal("cancelled", read.Status());
        Assert.Empty(read.Waiting());
        Assert.Equal(0, await Runtime.ResumeAsync(new WorkflowStimulus("test", TestActivities.KeyOf(key, caseId))));
        await (await _admin.PostAsync($"{Instances}/{instanceId}/cancel", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_loop_without_a_published_version_is_kept_as_an_incident_and_starts_when_retried_after_publishing()
    {
        var id = NewId();
        var instanceId = await Runtime.StartAsync(new WorkflowStartRequest(id, Guid.NewGuid()));
        var waiting = await _admin.GetFromJsonAsync<JsonElement>($"{Instances}/{instanceId}");
        Assert.Equal("faulted", waiting.Status());
        Assert.Contains("no published version", waiting.GetProperty("incidents")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        await (await _admin.PostAsync($"{Instances}/{instanceId}/retry", null)).AssertProblemAsync(HttpStatusCode.Conflict);

        await _admin.PublishAsync(Loop(id, [Activity("start", "Start"), Activity("count", TestActivities.Count), Activity("end", "End")], [Connect("start", "count"), Connect("count", "end")]));
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"{Instances}/{instanceId}/retry", null)).StatusCode);
        var done = await _admin.InstanceAsync(instanceId, i => i.Status() == "completed");
        Assert.Equal(1, done.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_wait_that_is_already_due_continues_in_the_same_run_without_a_bookmark()
    {
        var id = NewId();
        await _admin.PublishAsync(Loop(id,
            [Activity("start", "Start"), Activity("tick", "Delay", ("duration", "00:00:00")), Activity("count", TestActivities.Count), Activity("end", "End")],
            [Connect("start", "tick"), Connect("tick", "count"), Connect("count", "end")]));

        var instanceId = await Runtime.StartAsync(new WorkflowStartRequest(id, Guid.NewGuid()));

        var done = await _admin.InstanceAsync(instanceId, i => i.Status() == "completed");
        Assert.Contains(("tick", "completed"), done.Log());
        Assert.DoesNotContain(done.Log(), e => e.Activity == "tick" && e.Outcome is "waiting" or "resumed");
        Assert.Equal(1, factory.Activities.Runs[$"{instanceId:N}:count"]);
    }

    [Fact]
    public async Task Bad_queries_and_unknown_instances_are_problems()
    {
        await (await _admin.GetAsync($"{Instances}?status=sleeping")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.GetAsync($"{Instances}?pageSize=0")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.GetAsync($"{Instances}?cursor=nonsense")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.GetAsync($"{Instances}/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.PostAsync($"{Instances}/{Guid.NewGuid()}/retry", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        var agent = factory.Client(ApiFactory.AgentKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync(Instances)).StatusCode);
    }

    private static string NewId() => "rt-" + Guid.NewGuid().ToString("N")[..10];

    private static JsonObject WithExpression(JsonObject activity, string input, string code)
    {
        activity[input] = new JsonObject { ["expression"] = new JsonObject { ["type"] = "Expression", ["value"] = code } };
        return activity;
    }
}

public sealed class SqliteRuntimeTests(SqliteRuntimeFactory factory) : RuntimeTests<SqliteRuntimeFactory>(factory);

public sealed class PostgresRuntimeTests(PostgresRuntimeFactory factory) : RuntimeTests<PostgresRuntimeFactory>(factory);
