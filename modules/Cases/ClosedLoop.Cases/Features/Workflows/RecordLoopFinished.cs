using System.Globalization;
using System.Text.Json;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Features.Cases;
using ClosedLoop.Messaging;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// A loop finished: the case's timeline says so (<c>loopCompleted</c> / <c>loopCancelled</c>) and
/// <see cref="LoopCompletedIntegrationEvent"/> goes out with the score before and after, in one transaction with the
/// inbox row (so once per instance, however often the runtime's event is delivered). A case that does not exist (any
/// more) has nothing to record on and nobody to report for.
/// </summary>
internal sealed class RecordLoopFinished(CasesDbContext db, TimeProvider time) : IIntegrationEventHandler<WorkflowInstanceFinishedIntegrationEvent>
{
    private const int MaxDepth = 8;
    private static readonly string[] TimeProperties = ["answeredAt", "submittedAt", "receivedAt", "at"];

    public async Task HandleAsync(WorkflowInstanceFinishedIntegrationEvent e, CancellationToken cancellationToken)
    {
        var cancelled = string.Equals(e.Outcome, "cancelled", StringComparison.OrdinalIgnoreCase);
        var by = new CaseActor("system:workflow", $"Loop {e.DefinitionId}");
        var after = ScoreAfter(e.Outputs);
        await CaseWork.RunAsync(db, e.CorrelationId, null, null, time, c =>
        {
            var before = c.Case.Score;
            var text = cancelled
                ? $"Loop {e.DefinitionId} (version {e.Version}) was cancelled; instance {e.InstanceId}."
                : $"Loop {e.DefinitionId} (version {e.Version}) completed{(after is { } s ? $"; the customer now scores {s}" : "")}; instance {e.InstanceId}.";
            c.Case.Record(cancelled ? LoopTimeline.LoopCancelled : LoopTimeline.LoopCompleted, text, by, c.Now);
            c.Case.Events.Add(new LoopCompletedIntegrationEvent(
                c.Case.Id,
                c.Case.CustomerId,
                e.InstanceId,
                e.DefinitionId,
                e.Version,
                e.Outcome,
                e.StartedAt,
                e.FinishedAt,
                e.FinishedAt - e.StartedAt,
                before,
                after,
                before is { } b && after is { } a ? a - b : null));
            return Task.FromResult<SharedKernel.Error?>(null);
        }, cancellationToken);
    }

    /// <summary>
    /// The newest numeric <c>score</c> in the steps' outputs: objects carrying one are compared by their answer time
    /// (answeredAt, submittedAt, receivedAt or at) when they have one; otherwise the one found later wins.
    /// </summary>
    public static int? ScoreAfter(IReadOnlyDictionary<string, JsonElement> outputs)
    {
        (int Score, DateTimeOffset? At, int Order)? best = null;
        var order = 0;
        foreach (var output in outputs.Values)
        {
            Visit(output, 0);
        }

        return best?.Score;

        void Visit(JsonElement element, int depth)
        {
            if (depth > MaxDepth)
            {
                return;
            }

            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Visit(item, depth + 1);
                }

                return;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (element.TryGetProperty("score", out var score) && score.ValueKind == JsonValueKind.Number && score.TryGetDecimal(out var value))
            {
                var candidate = ((int)Math.Round(value, MidpointRounding.AwayFromZero), At(element), order++);
                if (best is not { } current || Newer(candidate, current))
                {
                    best = candidate;
                }
            }

            foreach (var property in element.EnumerateObject())
            {
                Visit(property.Value, depth + 1);
            }
        }
    }

    private static bool Newer((int Score, DateTimeOffset? At, int Order) candidate, (int Score, DateTimeOffset? At, int Order) current) =>
        (candidate.At, current.At) switch
        {
            ({ } a, { } b) => a > b || (a == b && candidate.Order > current.Order),
            ({ }, null) => true,
            (null, { }) => false,
            _ => candidate.Order > current.Order,
        };

    private static DateTimeOffset? At(JsonElement element)
    {
        foreach (var name in TimeProperties)
        {
            if (element.TryGetProperty(name, out var at) && at.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return parsed;
            }
        }

        return null;
    }
}
