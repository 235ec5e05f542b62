namespace ClosedLoop.Rules;

/// <summary>
/// The rules engine for one registered input (one per input type per process): validates rule sets, loads the
/// published catalog (recompiling only when its stamp changes) and routes inputs. Thread-safe; a singleton.
/// </summary>
/// <typeparam name="TInput">The module's input record (e.g. <c>FeedbackFacts</c>).</typeparam>
public interface IRuleEngine<TInput>
    where TInput : class
{
    /// <summary>The name expressions use for the input (e.g. <c>feedback</c>).</summary>
    string InputName { get; }

    /// <summary>The decision properties rules may set.</summary>
    IReadOnlyList<DecisionProperty> Decisions { get; }

    /// <summary>The default route used when an item cannot be evaluated.</summary>
    RuleDecision FallbackDecision { get; }

    /// <summary>The stamp of the loaded catalog, or null before the first load.</summary>
    string? Stamp { get; }

    /// <summary>
    /// Asks the registered <see cref="IRuleSetSource"/> for its stamp and, when it differs from <see cref="Stamp"/>,
    /// loads and compiles the new catalog. Call once per unit of work (request, import chunk) before routing.
    /// Returns true when a new catalog was loaded.
    /// </summary>
    ValueTask<bool> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads <paramref name="catalog"/> unless its stamp equals <see cref="Stamp"/>: compiles the sets whose text
    /// changed (unchanged ones are reused, suspension included), then swaps the whole catalog in atomically. A
    /// set that fails to compile is reported as an incident and makes items fall back while it is published.
    /// </summary>
    ValueTask ApplyAsync(RuleSetCatalog catalog, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks a rule set before it is saved (schema, compilation, screening, limits, decision properties,
    /// references, injections, dry run on the samples), against the loaded catalog (refreshed first when a
    /// source is registered). Never throws for a bad rule set: the problems are in the result.
    /// </summary>
    ValueTask<RuleSetValidation> ValidateAsync(RuleSetDefinition candidate, CancellationToken cancellationToken = default);

    /// <summary>
    /// Routes one input through every loaded rule set within the time budget. Never throws for rule problems:
    /// errors are in the explanation, and when the rules cannot decide in time the result is the default route
    /// with <see cref="RoutingResult.Fallback"/> set. Loads the catalog first if nothing was ever loaded and a
    /// source is registered.
    /// </summary>
    ValueTask<RoutingResult> RouteAsync(TInput input, CancellationToken cancellationToken = default);

    /// <summary>
    /// Routes <paramref name="inputs"/> exactly as <see cref="RouteAsync"/> routes each one, against one catalog, and
    /// returns the results in the same order. Cheaper per item: the inputs are handed to an evaluation worker once
    /// and evaluated there one after the other. The time budget is still per item (the first's counts from the
    /// call, each next one's from when the previous one completed); an item that overruns it gets the default
    /// route and the items after it are evaluated on another worker.
    /// </summary>
    ValueTask<IReadOnlyList<RoutingResult>> RouteManyAsync(IReadOnlyList<TInput> inputs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Dry-runs <paramref name="input"/>: against the loaded catalog, or with <paramref name="candidate"/> in place
    /// of the published set of the same name (validated first). Uses the same evaluation as <see cref="RouteAsync"/>
    /// but never suspends a live set.
    /// </summary>
    ValueTask<RuleSetTestResult> TestAsync(TInput input, RuleSetDefinition? candidate = null, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of a dry run.</summary>
/// <param name="Validation">The candidate's validation, when one was given.</param>
/// <param name="Routing">The routing, unless the candidate was invalid.</param>
public sealed record RuleSetTestResult(RuleSetValidation? Validation, RoutingResult? Routing);
