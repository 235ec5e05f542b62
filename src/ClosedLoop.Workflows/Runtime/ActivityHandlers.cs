using System.Text.Json;
using ClosedLoop.Workflows.Definitions;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>
/// Runs one activity type. Modules implement it for the activities they declare (registered with
/// <see cref="WorkflowRuntimeServiceCollectionExtensions.AddWorkflowActivityHandler{THandler}"/>); the engine runs the
/// control-flow ones itself. A handler may run more than once for one step (a host that dies after the side effect and
/// before the commit runs it again), so every side effect is keyed by <see cref="ActivityExecutionContext.StepKey"/>
/// (a message's deduplication key, say) and a repeat changes nothing.
/// </summary>
public interface IActivityHandler
{
    string ActivityType { get; }

    /// <summary>A token entered the activity: do the work and say which port continues, or wait, or fault.</summary>
    ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken);
}

/// <summary>What an activity did.</summary>
public abstract record ActivityResult
{
    private ActivityResult()
    {
    }

    /// <summary>The token continues through <paramref name="port"/>.</summary>
    public static ActivityResult Complete(string port = "Done", JsonElement? output = null) => new Completed(port, output);

    /// <summary>The token waits on a bookmark (an event, a reply, a timer, or an event with a timeout).</summary>
    public static ActivityResult Wait(BookmarkRequest bookmark) => new Waiting(bookmark);

    /// <summary>The step failed: the instance raises an incident and stops here until an operator retries it.</summary>
    public static ActivityResult Fault(string message) => new Faulted(message);

    /// <param name="Port">The output port the token leaves through.</param>
    /// <param name="Output">What the step produced (kept in the instance's outputs under the activity's id).</param>
    public sealed record Completed(string Port, JsonElement? Output) : ActivityResult;

    public sealed record Waiting(BookmarkRequest Bookmark) : ActivityResult;

    public sealed record Faulted(string Message) : ActivityResult;
}

/// <summary>
/// A wait. A stimulus of <paramref name="Kind"/> with the same <paramref name="Key"/> resumes it through <paramref name="Port"/>;
/// when <paramref name="DueAt"/> is set, a timer resumes it through <paramref name="TimeoutPort"/> at that time if nothing did
/// first. A pure timer (Delay) has no key. Whichever comes first burns the bookmark; the other finds nothing.
/// </summary>
/// <param name="Kind">What resumes it, e.g. <c>case-event</c> or <c>survey-answer</c>; null for a pure timer.</param>
/// <param name="Key">The value a stimulus must carry, e.g. <c>{caseId:N}:acknowledged</c> (compared exactly; at most 200 characters).</param>
/// <param name="DueAt">When the timer fires, or null for no timer.</param>
/// <param name="Port">The port a stimulus continues through.</param>
/// <param name="TimeoutPort">The port the timer continues through.</param>
public sealed record BookmarkRequest(string? Kind, string? Key, DateTimeOffset? DueAt, string Port = "Done", string TimeoutPort = "Timeout")
{
    public static BookmarkRequest Timer(DateTimeOffset dueAt, string port = "Done") => new(null, null, dueAt, port, port);
}

/// <summary>
/// Something that happened outside: resumes every bookmark of <paramref name="Kind"/> and <paramref name="Key"/>, once.
/// <paramref name="Payload"/> becomes the resumed activity's output.
/// </summary>
public sealed record WorkflowStimulus(string Kind, string Key, JsonElement? Payload = null);

/// <summary>Start <paramref name="DefinitionId"/>'s published version for <paramref name="CorrelationId"/> (the case), at most once per pair.</summary>
public sealed record WorkflowStartRequest(string DefinitionId, Guid CorrelationId);

/// <summary>The step a handler runs, its evaluated inputs and what the instance knows.</summary>
public sealed class ActivityExecutionContext
{
    private readonly IReadOnlyDictionary<string, JsonElement> inputs;

    public ActivityExecutionContext(
        Guid instanceId,
        string definitionId,
        int definitionVersion,
        Guid correlationId,
        WorkflowActivity activity,
        string stepKey,
        DateTimeOffset now,
        IReadOnlyDictionary<string, JsonElement> inputs,
        IReadOnlyDictionary<string, JsonElement> variables,
        IServiceProvider services)
    {
        InstanceId = instanceId;
        DefinitionId = definitionId;
        DefinitionVersion = definitionVersion;
        CorrelationId = correlationId;
        Activity = activity;
        StepKey = stepKey;
        Now = now;
        this.inputs = inputs;
        Variables = variables;
        Services = services;
    }

    public Guid InstanceId { get; }

    public string DefinitionId { get; }

    public int DefinitionVersion { get; }

    /// <summary>What the instance runs for: the case id.</summary>
    public Guid CorrelationId { get; }

    public WorkflowActivity Activity { get; }

    /// <summary>Stable for this step of this instance across re-runs: the key that makes a repeated side effect a no-op.</summary>
    public string StepKey { get; }

    /// <summary>The clock's time when the step started.</summary>
    public DateTimeOffset Now { get; }

    public IReadOnlyDictionary<string, JsonElement> Variables { get; }

    /// <summary>The scope the step runs in (a handler's own dependencies come through its constructor).</summary>
    public IServiceProvider Services { get; }

    public bool Has(string input) => inputs.ContainsKey(input);

    public JsonElement? Input(string input) => inputs.TryGetValue(input, out var value) ? value : null;

    public string? String(string input) => Input(input) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public bool? Boolean(string input) => Input(input) is { } v && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    public decimal? Number(string input) => Input(input) is { ValueKind: JsonValueKind.Number } v ? v.GetDecimal() : null;

    /// <summary>A duration input (see <see cref="WorkflowDurations.TryParse"/>); null when absent or not a duration.</summary>
    public TimeSpan? TimeSpan(string input) => WorkflowDurations.TryParse(String(input), out var t) ? t : null;
}

/// <summary>The case facts expressions see as <c>case</c>; implemented by the module that owns cases.</summary>
public interface ICaseFactsSource
{
    Task<CaseFacts?> FindAsync(Guid caseId, CancellationToken cancellationToken);
}

/// <summary>Business time of the team that works a case; implemented by the module that owns cases (Delay and timeouts with <c>businessHours</c>).</summary>
public interface IBusinessCalendar
{
    /// <summary>The moment <paramref name="duration"/> of business time after <paramref name="from"/>, for the case's team (calendar time when it has none).</summary>
    Task<DateTimeOffset> AddBusinessTimeAsync(Guid caseId, DateTimeOffset from, TimeSpan duration, CancellationToken cancellationToken);
}

/// <summary>
/// Answers whether the stimulus a new bookmark waits for has already happened (a case acknowledged between the step's
/// check and its bookmark's commit, say). The runtime asks right after the bookmark commits and resumes it when the
/// answer is yes, so an event that slipped between the two is not lost; the bookmark still resumes once.
/// </summary>
public interface IStimulusCheck
{
    /// <summary>The bookmark kind it answers for, e.g. <c>case-event</c>.</summary>
    string Kind { get; }

    Task<bool> HasHappenedAsync(string key, CancellationToken cancellationToken);
}
