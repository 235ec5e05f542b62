using System.Diagnostics;
using ClosedLoop.Rules.Diagnostics;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// Evaluates inputs against a snapshot, each within a time budget. Compiled expressions cannot be interrupted, so
/// the work runs elsewhere (<see cref="EvaluationWorkers"/>: the caller's own pool thread once it yields, or a
/// dedicated worker) and the caller waits at most the budget per item: on time-out
/// the item gets the default route, the work is told to stop at the next rule boundary, and the rule set that was
/// running is charged with an abandoned evaluation; past the limit it is suspended until a new version replaces it.
/// </summary>
/// <remarks>
/// A batch is handed to a worker once and evaluated there item after item: the hand-off to another thread costs
/// about as much as evaluating an item, so paying it per item would double the cost of routing (bench/README.md).
/// The budget stays per item: the first item's runs from when the batch was queued, each next one's from when
/// the previous one completed. When an item overruns, the worker is abandoned after it (a replacement starts) and
/// the items after it are queued again as a new batch, so a runaway costs only its own item its decision.
/// </remarks>
internal sealed class Router<TInput>(RuleInput<TInput> input, RuleEngineOptions options, Incidents incidents)
    where TInput : class
{
    private DecisionSchema Schema => input.Schema;

    public async ValueTask<RoutingResult> RouteAsync(Snapshot snapshot, TInput item, TimeSpan budget, bool live, CancellationToken cancellationToken) =>
        (await RouteManyAsync(snapshot, [item], budget, live, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Routes <paramref name="items"/> in order; the results are in the same order.</summary>
    public async ValueTask<RoutingResult[]> RouteManyAsync(Snapshot snapshot, IReadOnlyList<TInput> items, TimeSpan budget, bool live, CancellationToken cancellationToken)
    {
        var results = new RoutingResult[items.Count];
        if (snapshot.Entries.Count == 0)
        {
            // No rule set published: nothing runs that could overrun, so no hand-off to a worker and back (which
            // costs more than routing an item to the empty decision).
            new Batch(this, snapshot, items, 0, results).Work();
        }
        else
        {
            for (var next = 0; next < items.Count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                next = await RouteBatchAsync(new Batch(this, snapshot, items, next, results), budget, live, cancellationToken).ConfigureAwait(false);
            }
        }

        if (live)
        {
            foreach (var result in results)
            {
                Incidents.Routed(input.Name, result.ElapsedMilliseconds, result.Fallback);
            }
        }

        return results;
    }

    /// <summary>Hands <paramref name="batch"/> to a worker and waits; returns where the next batch must start.</summary>
    private async ValueTask<int> RouteBatchAsync(Batch batch, TimeSpan budget, bool live, CancellationToken cancellationToken)
    {
        // Live routing runs published sets, on the caller's pool thread while that is safe (decision 0024); dry runs
        // and warm-ups, which may run a set an admin has just submitted, run on the dedicated workers.
        var work = live ? EvaluationWorkers.Shared.RunNearby(batch.Work) : EvaluationWorkers.Shared.Run(batch.Work);
        while (true)
        {
            var poll = batch.Poll(budget);
            if (poll.Next == batch.Count)
            {
                return poll.Next;
            }

            if (poll.Overran is { } overran)
            {
                work.Abandon();
                batch.Results[poll.Next] = TimedOut(overran, work.Task, budget, live);
                return poll.Next + 1;
            }

            try
            {
                // Wakes when the whole batch is done, or when the item now running reaches its deadline.
                await work.Task.WaitAsync(poll.Wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The next poll sees which item is running now and how long it has had.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                var (_, running) = batch.GiveUp();
                work.Abandon();
                await running.Cancel.CancelAsync().ConfigureAwait(false);
                throw;
            }
            catch (Exception ex) when (work.Task.IsFaulted)
            {
                // A bug of ours, not a rule's: the item running gets a decision, the host hears about it, the rest go on.
                var (index, run) = batch.GiveUp();
                incidents.Report(RuleIncidentKind.Failed, input.Name, null, null, ex.Message);
                batch.Results[index] = run.Finish(input.Fallback, run.Snapshot.Entries.Count, RuleSetOutcome.Failed, $"The rules engine failed: {ex.Message}", force: true);
                return index + 1;
            }
        }
    }

    /// <summary>One item, on the worker: never throws (a bug of ours still gives the item a decision).</summary>
    private RoutingResult Evaluate(Run run, TInput item)
    {
        try
        {
            return EvaluateAsync(run, item).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            if (run.Cancel.IsCancellationRequested)
            {
                // The caller has already given the item its default route.
                return run.Abandoned();
            }

            incidents.Report(RuleIncidentKind.Failed, input.Name, null, null, ex.Message);
            return run.Finish(input.Fallback, run.Snapshot.Entries.Count, RuleSetOutcome.Failed, $"The rules engine failed: {ex.Message}", force: true);
        }
    }

    private async Task<RoutingResult> EvaluateAsync(Run run, TInput original)
    {
        run.Started = true;
        var current = original;
        var fed = 0;
        for (var i = 0; i < run.Snapshot.Entries.Count; i++)
        {
            var entry = run.Snapshot.Entries[i];
            if (entry.Compiled is not { } set)
            {
                return run.Finish(input.Fallback, i, RuleSetOutcome.NotLoaded, $"Rule set '{entry.Name}' v{entry.Definition.Version} could not be loaded: {entry.LoadError}");
            }

            if (set.Suspended)
            {
                return run.Finish(input.Fallback, i, RuleSetOutcome.Suspended, $"Rule set '{entry.Name}' v{entry.Definition.Version} is suspended after repeated time-outs; publish a new version to resume it.");
            }

            var values = input.Feeders.Count > 0 ? FedValues(run.Decision) : 0;
            if (values != fed)
            {
                current = Feed(original, run.Decision);
                fed = values;
            }

            List<RuleResultTree> results;
            run.Current = i;
            try
            {
                results = await set.Engine.ExecuteAllRulesAsync(set.Name, [new RuleParameter(input.Name, current)], run.Cancel.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (run.Cancel.IsCancellationRequested)
            {
                return run.Abandoned();
            }
            catch (Exception ex)
            {
                incidents.Report(RuleIncidentKind.Failed, input.Name, set.Name, set.Definition.Version, ex.Message);
                return run.Finish(input.Fallback, i, RuleSetOutcome.Failed, $"Rule set '{set.Name}' v{set.Definition.Version} failed: {ex.Message}");
            }

            if (!run.Completed(set, results))
            {
                return run.Abandoned();
            }
        }

        return run.Result();
    }

    /// <summary>How many values the lists that feed the input hold: lists only grow, so the input is fed again only when this moves.</summary>
    private int FedValues(DecisionAccumulator decision)
    {
        var count = 0;
        foreach (var (name, _) in input.Feeders)
        {
            count += decision.List(name).Count;
        }

        return count;
    }

    private TInput Feed(TInput original, DecisionAccumulator decision)
    {
        var fed = original;
        foreach (var (name, feeder) in input.Feeders)
        {
            if (decision.List(name) is { Count: > 0 } values)
            {
                fed = feeder(fed, [.. values]);
            }
        }

        return fed;
    }

    private RoutingResult TimedOut(Run run, Task work, TimeSpan budget, bool live)
    {
        run.Cancel.Cancel();
        var culprit = run.TimeOut();
        if (culprit is null)
        {
            var waited = run.Started
                ? $"The evaluation did not finish within {budget.TotalMilliseconds:N0} ms."
                : $"The evaluation did not start within {budget.TotalMilliseconds:N0} ms: every rules worker is busy (runaway rules are still running).";
            if (live)
            {
                incidents.Report(RuleIncidentKind.Timeout, input.Name, null, null, waited);
            }

            return run.Finish(input.Fallback, run.Snapshot.Entries.Count, RuleSetOutcome.Skipped, waited, force: true);
        }

        var set = run.Snapshot.Entries[culprit.Value].Compiled!;
        var reason = $"Rule set '{set.Name}' v{set.Definition.Version} did not finish within {budget.TotalMilliseconds:N0} ms.";
        if (live)
        {
            incidents.Report(RuleIncidentKind.Timeout, input.Name, set.Name, set.Definition.Version, reason);
            if (set.Abandon(work, options.MaxAbandonedPerRuleSet))
            {
                incidents.Report(RuleIncidentKind.Suspended, input.Name, set.Name, set.Definition.Version,
                    $"More than {options.MaxAbandonedPerRuleSet} evaluations of rule set '{set.Name}' v{set.Definition.Version} are still running after timing out; it is suspended until a new version is published.");
            }
        }

        return run.Finish(input.Fallback, culprit.Value, RuleSetOutcome.TimedOut, reason, force: true);
    }

    /// <summary>Where a batch stands: the first item not completed, and how long it may still take or, when it is overdue, its run.</summary>
    private readonly record struct BatchPoll(int Next, TimeSpan Wait, Run? Overran);

    /// <summary>
    /// Items handed to a worker together, shared between the worker and the waiting caller (guarded by a lock):
    /// which item is running, since when its budget counts, and whether the caller has given up on the batch.
    /// </summary>
    private sealed class Batch
    {
        private readonly Lock _gate = new();
        private readonly Router<TInput> _router;
        private readonly Snapshot _snapshot;
        private readonly IReadOnlyList<TInput> _items;
        private readonly CancellationTokenSource _cancel = new();
        private int _next;
        private long _since;
        private Run? _running;
        private bool _gaveUp;

        public Batch(Router<TInput> router, Snapshot snapshot, IReadOnlyList<TInput> items, int first, RoutingResult[] results)
        {
            _router = router;
            _snapshot = snapshot;
            _items = items;
            _next = first;
            Results = results;
            _since = Stopwatch.GetTimestamp();
        }

        public int Count => _items.Count;

        /// <summary>Every item's result, by position (shared by the batches of one call).</summary>
        public RoutingResult[] Results { get; }

        /// <summary>The worker's part: the items in order, each completed as soon as it is evaluated, until done or given up.</summary>
        public bool Work()
        {
            for (var i = _next; ; i++)
            {
                Run run;
                lock (_gate)
                {
                    if (i == _items.Count || _gaveUp)
                    {
                        return !_gaveUp;
                    }

                    _running = run = new Run(_snapshot, _cancel, _since, _router.Schema);
                }

                var result = _router.Evaluate(run, _items[i]);
                var now = Stopwatch.GetTimestamp();
                lock (_gate)
                {
                    if (_gaveUp)
                    {
                        // Too late: the caller has given this item the default route, and queued the rest elsewhere.
                        return false;
                    }

                    Results[i] = result;
                    _next = i + 1;
                    _since = now;
                    _running = null;
                }
            }
        }

        /// <summary>Where the batch stands; an overdue item is given up on in the same step (the worker starts nothing after it).</summary>
        public BatchPoll Poll(TimeSpan budget)
        {
            lock (_gate)
            {
                if (_next == _items.Count)
                {
                    return new BatchPoll(_next, TimeSpan.Zero, null);
                }

                var elapsed = Stopwatch.GetElapsedTime(_since);
                return elapsed < budget
                    ? new BatchPoll(_next, budget - elapsed, null)
                    : new BatchPoll(_next, TimeSpan.Zero, GiveUpLocked());
            }
        }

        /// <summary>
        /// Stops the batch: the worker starts no further item and drops the result of the one it is on. Returns that
        /// item's position and its run (a fresh one, never started, if the worker had not picked it up).
        /// </summary>
        public (int Index, Run Run) GiveUp()
        {
            lock (_gate)
            {
                return (_next, GiveUpLocked());
            }
        }

        private Run GiveUpLocked()
        {
            _gaveUp = true;
            return _running ?? new Run(_snapshot, _cancel, _since, _router.Schema);
        }
    }

    /// <summary>One item's evaluation, shared between the worker and the waiting caller (guarded by a lock).</summary>
    private sealed class Run(Snapshot snapshot, CancellationTokenSource cancel, long since, DecisionSchema schema)
    {
        private readonly Lock _gate = new();
        private readonly List<RuleSetTrace> _traces = new(snapshot.Entries.Count);
        private bool _timedOut;
        private RoutingResult? _final;

        public Snapshot Snapshot { get; } = snapshot;

        /// <summary>Its batch's: once the caller gives up on an item, the worker evaluates nothing more of that batch.</summary>
        public CancellationTokenSource Cancel { get; } = cancel;

        public DecisionAccumulator Decision { get; } = new(schema);

        public volatile int Current = -1;

        public volatile bool Started;

        /// <summary>Records a finished set; false when the caller has already given up on this item.</summary>
        public bool Completed(CompiledRuleSet set, List<RuleResultTree> results)
        {
            lock (_gate)
            {
                if (_timedOut)
                {
                    return false;
                }

                _traces.Add(Decision.Apply(set, results));
                Current = -1;
                return true;
            }
        }

        /// <summary>Marks the item as given up; returns the index of the set that was running, if one was.</summary>
        public int? TimeOut()
        {
            lock (_gate)
            {
                _timedOut = true;
                return Current >= 0 ? Current : null;
            }
        }

        public RoutingResult Abandoned() => _final ?? Finish(RuleDecision.Empty, Snapshot.Entries.Count, RuleSetOutcome.Skipped, "abandoned", force: true);

        public RoutingResult Result()
        {
            lock (_gate)
            {
                return new RoutingResult { Decision = Decision.Decision(), CatalogStamp = Snapshot.Stamp, RuleSets = _traces.ToArray(), ElapsedMilliseconds = Elapsed() };
            }
        }

        /// <summary>The default route: completed sets as they were, <paramref name="failed"/> with its outcome, the rest skipped.</summary>
        public RoutingResult Finish(RuleDecision fallback, int failed, RuleSetOutcome outcome, string reason, bool force = false)
        {
            lock (_gate)
            {
                if (_final is not null || (_timedOut && !force))
                {
                    return _final ?? Result();
                }

                var traces = new List<RuleSetTrace>(_traces);
                for (var i = traces.Count; i < Snapshot.Entries.Count; i++)
                {
                    var definition = Snapshot.Entries[i].Definition;
                    traces.Add(new RuleSetTrace(definition.Name, definition.Version, definition.Order, i == failed ? outcome : RuleSetOutcome.Skipped, i == failed ? reason : null, []));
                }

                _final = new RoutingResult
                {
                    Decision = Decision.Fallback(fallback),
                    Fallback = true,
                    FallbackReason = reason,
                    CatalogStamp = Snapshot.Stamp,
                    RuleSets = traces,
                    ElapsedMilliseconds = Elapsed(),
                };
                return _final;
            }
        }

        /// <summary>Time since this item's budget started: when its batch was queued, or when the item before it completed.</summary>
        private double Elapsed() => Stopwatch.GetElapsedTime(since).TotalMilliseconds;
    }
}
