using System.Diagnostics;
using ClosedLoop.Rules.Diagnostics;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// Evaluates one input against a snapshot within a time budget. Compiled expressions cannot be interrupted, so
/// the work runs on a pool thread and the caller waits at most the budget: on time-out the item gets the
/// default route, the work is told to stop at the next rule boundary, and the rule set that was running is
/// charged with an abandoned evaluation; past the limit it is suspended until a new version replaces it.
/// </summary>
internal sealed class Router<TInput>(RuleInput<TInput> input, RuleEngineOptions options, Incidents incidents)
    where TInput : class
{
    public async ValueTask<RoutingResult> RouteAsync(Snapshot snapshot, TInput item, TimeSpan budget, bool live, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var run = new Run(snapshot);
        var work = EvaluationWorkers.Shared.Run(() => EvaluateAsync(run, item).GetAwaiter().GetResult());
        RoutingResult result;
        try
        {
            result = await work.Task.WaitAsync(budget, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            work.Abandon();
            result = TimedOut(run, work.Task, budget, live);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            work.Abandon();
            await run.Cancel.CancelAsync().ConfigureAwait(false);
            throw;
        }
        catch (Exception ex)
        {
            // A bug of ours, not a rule's: the item still gets a decision and the host hears about it.
            incidents.Report(RuleIncidentKind.Failed, input.Name, null, null, ex.Message);
            result = run.Finish(input.Fallback, run.Snapshot.Entries.Count, RuleSetOutcome.Failed, $"The rules engine failed: {ex.Message}", force: true);
        }

        result = result with { ElapsedMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds };
        if (live)
        {
            Incidents.Routed(input.Name, result.ElapsedMilliseconds, result.Fallback);
        }

        return result;
    }

    private async Task<RoutingResult> EvaluateAsync(Run run, TInput original)
    {
        run.Started = true;
        var current = original;
        var fedVersion = 0;
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

            if (input.Feeders.Count > 0 && run.Decision.ListVersion != fedVersion)
            {
                current = Feed(original, run.Decision);
                fedVersion = run.Decision.ListVersion;
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

    /// <summary>One item's evaluation, shared between the worker and the waiting caller (guarded by a lock).</summary>
    private sealed class Run(Snapshot snapshot)
    {
        private readonly Lock _gate = new();
        private readonly List<RuleSetTrace> _traces = [];
        private bool _timedOut;
        private RoutingResult? _final;

        public Snapshot Snapshot { get; } = snapshot;

        public CancellationTokenSource Cancel { get; } = new();

        public DecisionAccumulator Decision { get; } = new();

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
                return new RoutingResult { Decision = Decision.Decision(), CatalogStamp = Snapshot.Stamp, RuleSets = [.. _traces] };
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
                };
                return _final;
            }
        }
    }
}
