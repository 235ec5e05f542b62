using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>
/// What an instance carries between runs: the tokens waiting to execute, the arrivals of WaitAll joins, variables and
/// outputs. Waiting tokens are not here: a waiting token is a bookmark row.
/// </summary>
internal sealed class InstanceState
{
    public const int MaxBytes = 256 * 1024;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Tokens to execute, in order.</summary>
    public List<Token> Queue { get; set; } = [];

    /// <summary>Per WaitAll join: the inbound connections ("activity:port") a token has arrived through.</summary>
    public Dictionary<string, List<string>> Joins { get; set; } = [];

    public Dictionary<string, JsonElement> Variables { get; set; } = [];

    /// <summary>What each step produced, by activity id (the latest run of that activity).</summary>
    public Dictionary<string, JsonElement> Outputs { get; set; } = [];

    /// <summary>The number of the last execution: step keys and the log's order come from it.</summary>
    public int Sequence { get; set; }

    /// <summary>The token whose step faulted; a retry runs it again.</summary>
    public Token? Faulted { get; set; }

    /// <summary>A new instance's state: the declared variables at their initial values and one token at Start.</summary>
    public static InstanceState StartOf(LoadedDefinition definition)
    {
        var state = new InstanceState();
        foreach (var variable in definition.Document.Variables)
        {
            state.Variables[variable.Name] = variable.Value ?? JsonSerializer.SerializeToElement<object?>(null);
        }

        state.Queue.Add(new Token(definition.Start, null));
        return state;
    }

    /// <summary>The event that tells modules the instance finished, with every step's output.</summary>
    public static WorkflowInstanceFinishedIntegrationEvent Finished(Data.InstanceRecord instance, InstanceState state, string outcome, DateTimeOffset at) =>
        new(instance.Id, instance.DefinitionId, instance.Version, instance.CorrelationId, outcome, instance.CreatedAt, at,
            new Dictionary<string, JsonElement>(state.Outputs, StringComparer.Ordinal));

    public static InstanceState Parse(string json) => JsonSerializer.Deserialize<InstanceState>(json, Options) ?? new InstanceState();

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}

/// <param name="Activity">The activity it enters.</param>
/// <param name="From">The connection it came through ("activity:port"), null for the start.</param>
internal sealed record Token(string Activity, string? From);
