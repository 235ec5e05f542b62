using ClosedLoop.Rules.Diagnostics;
using ClosedLoop.Rules.Evaluation;
using ClosedLoop.Rules.Sentiment;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Rules;

/// <summary>Registers the rules engine for a module's input.</summary>
public static class RulesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IRuleEngine{TInput}"/> as a singleton for <typeparamref name="TInput"/>, known to
    /// expressions as <paramref name="inputName"/>, plus the shared pieces (options, incident logging, the
    /// sentiment analyser). The host binds <see cref="RuleEngineOptions"/> (section <c>Rules</c>) and registers an
    /// <see cref="IRuleSetSource"/> (any lifetime: it is used in a scope of its own), <see cref="IRuleIncidentSink"/>s
    /// and <see cref="IDecisionReferenceCheck"/>s; metrics are on the meter <see cref="RulesTelemetry.MeterName"/>.
    /// </summary>
    public static IServiceCollection AddRulesEngine<TInput>(this IServiceCollection services, string inputName, Action<RuleInputBuilder<TInput>> describe)
        where TInput : class
    {
        var builder = new RuleInputBuilder<TInput>(inputName);
        describe(builder);
        var input = builder.Build();

        services.AddOptions<RuleEngineOptions>().Validate(
            o => o.EvaluationBudget > TimeSpan.Zero && o.DryRunBudget > TimeSpan.Zero && o.MaxAbandonedPerRuleSet >= 0
                && o.MaxExpressionLength > 0 && o.MaxRules > 0 && o.MaxDepth > 0 && o.MaxParams >= 0 && o.MaxJsonLength > 0,
            "Rules options must be positive.");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Incidents>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRuleIncidentSink, LoggingIncidentSink>());
        services.TryAddSingleton<ISentimentAnalyzer>(_ => VaderSentimentAnalyzer.Default);
        services.AddSingleton<IRuleEngine<TInput>>(sp => new RuleEngine<TInput>(
            input,
            sp.GetRequiredService<IOptions<RuleEngineOptions>>().Value,
            sp.GetRequiredService<Incidents>(),
            sp.GetServices<IDecisionReferenceCheck>(),
            SourceAccess.Of(sp)));

        // The store and its admin API work per input without knowing the input's type.
        services.AddSingleton<IRuleInput>(sp => new RuleInputAdapter<TInput>(sp.GetRequiredService<IRuleEngine<TInput>>(), input.Samples[0]));
        services.TryAddSingleton<RuleInputs>();
        return services;
    }

    /// <summary>An engine without DI, for tests and tools: incidents go to <paramref name="sinks"/>.</summary>
    public static IRuleEngine<TInput> CreateRulesEngine<TInput>(
        string inputName,
        Action<RuleInputBuilder<TInput>> describe,
        RuleEngineOptions? options = null,
        IEnumerable<IRuleIncidentSink>? sinks = null,
        IEnumerable<IDecisionReferenceCheck>? referenceChecks = null,
        IRuleSetSource? source = null)
        where TInput : class
    {
        var builder = new RuleInputBuilder<TInput>(inputName);
        describe(builder);
        var incidents = new Incidents(sinks ?? [], TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Incidents>.Instance);
        return new RuleEngine<TInput>(builder.Build(), options ?? new RuleEngineOptions(), incidents, referenceChecks ?? [], SourceAccess.Of(source));
    }
}
