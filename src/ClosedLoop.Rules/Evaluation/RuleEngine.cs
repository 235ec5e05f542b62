using ClosedLoop.Rules.Diagnostics;
using ClosedLoop.Rules.Validation;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>The engine for one input: one <see cref="Snapshot"/> at a time, swapped atomically on refresh.</summary>
internal sealed class RuleEngine<TInput> : IRuleEngine<TInput>
    where TInput : class
{
    private readonly RuleInput<TInput> _input;
    private readonly RuleEngineOptions _options;
    private readonly Incidents _incidents;
    private readonly SourceAccess? _source;
    private readonly RuleSetCompiler<TInput> _compiler;
    private readonly Router<TInput> _router;
    private readonly RuleSetValidator<TInput> _validator;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly Lock _stampGate = new();
    private bool _stampReading;
    private TaskCompletionSource<string>? _nextStampRead;
    private Snapshot _snapshot = Snapshot.Unloaded;

    public RuleEngine(RuleInput<TInput> input, RuleEngineOptions options, Incidents incidents, IEnumerable<IDecisionReferenceCheck> referenceChecks, SourceAccess? source)
    {
        _input = input;
        _options = options;
        _incidents = incidents;
        _source = source;
        _compiler = new RuleSetCompiler<TInput>(input, options);
        _router = new Router<TInput>(input, options, incidents);
        _validator = new RuleSetValidator<TInput>(input, options, _compiler, _router, referenceChecks);
    }

    public string InputName => _input.Name;

    public IReadOnlyList<DecisionProperty> Decisions => _input.Properties;

    public RuleDecision FallbackDecision => _input.Fallback;

    public string? Stamp => ReferenceEquals(Current, Snapshot.Unloaded) ? null : Current.Stamp;

    /// <summary>The loaded snapshot (for tests: which compiled sets are alive).</summary>
    internal Snapshot Current => Volatile.Read(ref _snapshot);

    public async ValueTask<bool> RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (_source is null)
        {
            return false;
        }

        // The fast path, taken by every unit of work: one stamp read (shared with concurrent callers), no lock.
        var stamp = await ReadStampAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (stamp == Stamp)
        {
            return false;
        }

        // Loading is serialised and the stamp read again under the lock: two refreshers that both saw a change
        // would otherwise race, and the one that read the older catalog could install it after the newer one.
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var catalog = await _source.UseAsync(async source =>
            {
                var current = await source.GetStampAsync(_input.Name, cancellationToken).ConfigureAwait(false);
                return current == Stamp ? null : await source.LoadAsync(_input.Name, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (catalog is null)
            {
                return false;
            }

            await LoadAsync(catalog, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// The catalog's stamp, from a read that started after this call did, so a publication committed before the call
    /// is seen. Concurrent callers share reads: while one is in flight, every caller that arrives waits for the next,
    /// which starts as soon as it ends and serves them all. Under load that is one read (a scope, a connection, a
    /// query) per round trip instead of one per unit of work; alone, a caller reads at once as before.
    /// </summary>
    private Task<string> ReadStampAsync()
    {
        TaskCompletionSource<string> read;
        lock (_stampGate)
        {
            if (_stampReading)
            {
                _nextStampRead ??= new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _nextStampRead.Task;
            }

            _stampReading = true;
            read = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _ = ReadStampsAsync(read);
        return read.Task;
    }

    /// <summary>Reads for <paramref name="read"/>, then for the callers that queued meanwhile, until none did.</summary>
    private async Task ReadStampsAsync(TaskCompletionSource<string> read)
    {
        while (true)
        {
            try
            {
                // Not any one caller's token: the read is theirs together (each stops waiting on its own).
                read.TrySetResult(await _source!.UseAsync(source => source.GetStampAsync(_input.Name, CancellationToken.None)).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                read.TrySetException(ex);
            }

            lock (_stampGate)
            {
                if (_nextStampRead is null)
                {
                    _stampReading = false;
                    return;
                }

                (read, _nextStampRead) = (_nextStampRead, null);
            }
        }
    }

    public async ValueTask ApplyAsync(RuleSetCatalog catalog, CancellationToken cancellationToken = default)
    {
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadAsync(catalog, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Compiles and swaps in <paramref name="catalog"/>; the caller holds <see cref="_loading"/>.</summary>
    private async ValueTask LoadAsync(RuleSetCatalog catalog, CancellationToken cancellationToken)
    {
        var previous = Current;
        if (!ReferenceEquals(previous, Snapshot.Unloaded) && previous.Stamp == catalog.Stamp)
        {
            return;
        }

        var reusable = previous.Entries.Where(e => e.Compiled is not null).ToDictionary(e => e.Compiled!.Key, e => e.Compiled!, StringComparer.Ordinal);
        var byName = catalog.RuleSets.GroupBy(d => d.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var entries = new List<SnapshotEntry>();
        RulesEngine.RulesEngine? engine = null;
        foreach (var definition in byName.Values)
        {
            var key = CompiledRuleSet.KeyOf(definition, Injection.Closure(definition.Name, n => byName.TryGetValue(n, out var d) ? Injection.Declared(d.Json) : null, new Problems()).Select(n => byName[n].Json));
            if (reusable.TryGetValue(key, out var compiled))
            {
                entries.Add(new SnapshotEntry(definition, compiled, null));
                continue;
            }

            var problems = new Problems();
            compiled = _compiler.Compile(definition, byName, problems, engine ??= _compiler.NewEngine());
            if (compiled is null)
            {
                var error = string.Join(" ", problems.Errors.Take(3).Select(p => p.Rule is null ? p.Message : $"{p.Rule}: {p.Message}"));
                _incidents.Report(RuleIncidentKind.LoadFailed, _input.Name, definition.Name, definition.Version, error);
                entries.Add(new SnapshotEntry(definition, null, error));
                continue;
            }

            await CompileNowAsync(compiled).ConfigureAwait(false);
            entries.Add(new SnapshotEntry(definition, compiled, null));
        }

        // Warm up before the swap: RulesEngine compiles on first use and the first evaluation JITs the whole
        // path, which would otherwise be paid inside the first live item's budget.
        var next = new Snapshot(catalog, entries);
        await _router.RouteAsync(next, _input.Samples[0], _options.DryRunBudget, live: false, cancellationToken).ConfigureAwait(false);

        // Swap last: items in flight finish on the old snapshot; its compiled sets are then collected.
        Volatile.Write(ref _snapshot, next);
    }

    public async ValueTask<RuleSetValidation> ValidateAsync(RuleSetDefinition candidate, CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return (await _validator.ValidateAsync(candidate, Current, cancellationToken).ConfigureAwait(false)).Validation;
    }

    public async ValueTask<RoutingResult> RouteAsync(TInput input, CancellationToken cancellationToken = default)
    {
        if (_source is not null && ReferenceEquals(Current, Snapshot.Unloaded))
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _router.RouteAsync(Current, input, _options.EvaluationBudget, live: true, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RoutingResult>> RouteManyAsync(IReadOnlyList<TInput> inputs, CancellationToken cancellationToken = default)
    {
        if (_source is not null && ReferenceEquals(Current, Snapshot.Unloaded))
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _router.RouteManyAsync(Current, inputs, _options.EvaluationBudget, live: true, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RuleSetTestResult> TestAsync(TInput input, RuleSetDefinition? candidate = null, CancellationToken cancellationToken = default)
    {
        if (candidate is null)
        {
            return new RuleSetTestResult(null, await _router.RouteAsync(Current, input, _options.EvaluationBudget, live: false, cancellationToken).ConfigureAwait(false));
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        var context = Current;
        var (validation, compiled) = await _validator.ValidateAsync(candidate, context, cancellationToken).ConfigureAwait(false);
        if (compiled is null)
        {
            return new RuleSetTestResult(validation, null);
        }

        var routing = await _router.RouteAsync(context.With(compiled), input, _options.EvaluationBudget, live: false, cancellationToken).ConfigureAwait(false);
        return new RuleSetTestResult(validation, routing);
    }

    /// <summary>RulesEngine compiles a workflow on first use; asking for a rule that does not exist compiles it without running anything.</summary>
    private async ValueTask CompileNowAsync(CompiledRuleSet compiled)
    {
        try
        {
            await compiled.Engine.ExecuteActionWorkflowAsync(compiled.Name, "\u0000compile-only", [new RulesEngine.Models.RuleParameter(_input.Name, _input.Samples[0])]).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            // Expected: nothing ran, and the workflow is now compiled for this input type.
        }
    }
}
