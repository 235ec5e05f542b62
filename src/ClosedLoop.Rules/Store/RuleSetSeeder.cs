using ClosedLoop.Web;
using ClosedLoop.Rules.Store.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Rules.Store;

/// <summary>
/// Imports the default rule sets (<c>rules/&lt;order&gt;-&lt;name&gt;.json</c>) at start-up, after the migrations:
/// each set the store does not have yet is validated and published as version 1 (origin seed, author
/// <c>system</c>). A set the store has is never touched, so admin edits win and the files are never rewritten.
/// Files directly in the folder belong to the only registered input; with several inputs, each reads its own
/// subfolder (<c>rules/&lt;input&gt;/</c>).
/// </summary>
/// <remarks>
/// Runs before the host serves requests, so the first routed item already sees the defaults. Replicas starting
/// together race harmlessly: the store takes one version 1 per name and the others find it there.
/// </remarks>
internal sealed partial class RuleSetSeeder(
    IServiceScopeFactory scopes,
    RuleInputs inputs,
    IOptions<RuleStoreOptions> options,
    ILogger<RuleSetSeeder> logger) : IHostedService
{
    public const string Author = "system";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedOnStartup)
        {
            return;
        }

        var directory = options.Value.ResolveSeedDirectory();
        if (!Directory.Exists(directory))
        {
            LogNoSeeds(logger, directory);
            return;
        }

        if (inputs.Names.Count > 1 && RuleSetSeeds.Read(directory).Count > 0)
        {
            LogAmbiguous(logger, directory, string.Join(", ", inputs.Names));
        }

        foreach (var input in inputs.Names)
        {
            var folder = Path.Combine(directory, input);
            if (Directory.Exists(folder))
            {
                await SeedAsync(folder, input, cancellationToken);
            }
            else if (inputs.Names.Count == 1)
            {
                await SeedAsync(directory, input, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(string folder, string input, CancellationToken cancellationToken)
    {
        foreach (var seed in RuleSetSeeds.Read(folder))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var publisher = scope.ServiceProvider.GetRequiredService<RuleSetPublisher>();
                var outcome = await publisher.PublishAsync(
                    new PublishRequest(seed.Name, seed.Json, seed.Order, $"Default rule set from {Path.GetFileName(folder)}/{seed.Order}-{seed.Name}.json", Author, RuleSetOrigin.Seed, null, input, VersionPrecondition.OnlyIfNew),
                    cancellationToken);
                switch (outcome.Status)
                {
                    case PublishStatus.Created:
                        LogSeeded(logger, seed.Name, input, seed.Order);
                        break;
                    case PublishStatus.PreconditionFailed:
                        break; // Already in the store (an admin's version, or another replica's seed): left alone.
                    case PublishStatus.Invalid:
                        LogInvalid(logger, seed.Name, folder, string.Join(" | ", outcome.Validation!.Errors.Select(e => $"{e.Key}: {e.Message}")));
                        break;
                    default:
                        LogNotSeeded(logger, seed.Name, outcome.Status, outcome.Problem);
                        break;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Not fatal: the host serves with what the store has, and the next start tries again.
                LogFailed(logger, ex, seed.Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No default rule sets: {Directory} does not exist (Rules:SeedDirectory)")]
    private static partial void LogNoSeeds(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Default rule sets directly in {Directory} are not imported: several inputs are registered ({Inputs}); put each input's files in a subfolder named after it")]
    private static partial void LogAmbiguous(ILogger logger, string directory, string inputs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded rule set {Name} v1 for input {Input} (order {Order})")]
    private static partial void LogSeeded(ILogger logger, string name, string input, int order);

    [LoggerMessage(Level = LogLevel.Error, Message = "DEFAULT RULE SET {Name} IN {Directory} IS INVALID AND WAS NOT IMPORTED: {Errors}")]
    private static partial void LogInvalid(ILogger logger, string name, string directory, string errors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Default rule set {Name} was not imported ({Status}): {Problem}")]
    private static partial void LogNotSeeded(ILogger logger, string name, PublishStatus status, string? problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Importing default rule set {Name} failed; it will be tried again at the next start")]
    private static partial void LogFailed(ILogger logger, Exception exception, string name);
}
