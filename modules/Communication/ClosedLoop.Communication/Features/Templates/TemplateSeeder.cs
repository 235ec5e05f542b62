using ClosedLoop.Web;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Templates;

/// <summary>
/// Imports the seed templates (<c>templates/&lt;key&gt;/</c>) at start-up: a template the store lacks becomes
/// version 1; a changed file arrives as a new version, but only while the published version is itself a seed,
/// so an admin's edit (or rollback) is never overwritten. The files are never rewritten.
/// </summary>
internal sealed partial class TemplateSeeder(IServiceScopeFactory scopes, IOptions<CommunicationOptions> options, ILogger<TemplateSeeder> logger) : IHostedService
{
    public const string Author = "system";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedOnStartup)
        {
            return;
        }

        var directory = options.Value.ResolveTemplateDirectory();
        if (!Directory.Exists(directory))
        {
            LogNoSeeds(logger, directory);
            return;
        }

        IReadOnlyList<TemplateSeed> seeds;
        try
        {
            seeds = TemplateSeeds.Read(directory);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            LogUnreadable(logger, ex, directory);
            return;
        }

        foreach (var seed in seeds)
        {
            try
            {
                await SeedAsync(seed, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Not fatal: the host serves with what the store has, and the next start tries again.
                LogFailed(logger, ex, seed.Key);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(TemplateSeed seed, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunicationDbContext>();
        var languages = seed.Languages.ToDictionary(l => l.Key, l => new TemplateParts(l.Value.Subject, l.Value.Html, l.Value.Text), StringComparer.Ordinal);
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Key == seed.Key, cancellationToken);
        VersionPrecondition precondition;
        if (template is null)
        {
            precondition = VersionPrecondition.OnlyIfNew;
        }
        else
        {
            var published = await db.TemplateVersions.AsNoTracking()
                .Where(v => v.Key == seed.Key && v.Version == template.PublishedVersion)
                .Select(v => new { v.Origin, v.Sha256 })
                .FirstAsync(cancellationToken);
            if (published.Origin != TemplateOrigin.Seed || published.Sha256 == TemplateContent.Sha256Of(TemplateContent.Serialize(languages)))
            {
                return; // An admin's version, or the file as it already is.
            }

            precondition = VersionPrecondition.OnlyOver(template.PublishedVersion);
        }

        var publisher = scope.ServiceProvider.GetRequiredService<TemplatePublisher>();
        var outcome = await publisher.PublishAsync(
            new TemplatePublishRequest(seed.Key, languages, $"Seed template from templates/{seed.Key}/", Author, TemplateOrigin.Seed, null, precondition),
            cancellationToken);
        switch (outcome.Status)
        {
            case TemplatePublishStatus.Created or TemplatePublishStatus.Published:
                LogSeeded(logger, seed.Key, outcome.Version!.Version);
                break;
            case TemplatePublishStatus.Invalid:
                LogInvalid(logger, seed.Key, string.Join(" | ", outcome.Problems!.Select(p => $"{p.Field} ({p.Line},{p.Column}): {p.Message}")));
                break;
            default:
                break; // Another replica seeded it, or an admin saved in between: left alone.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No seed templates: {Directory} does not exist (Communication:TemplateDirectory)")]
    private static partial void LogNoSeeds(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "The seed templates in {Directory} could not be read")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded template {Key} v{Version}")]
    private static partial void LogSeeded(ILogger logger, string key, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "SEED TEMPLATE {Key} IS INVALID AND WAS NOT IMPORTED: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string key, string problems);

    [LoggerMessage(Level = LogLevel.Error, Message = "Importing seed template {Key} failed; it will be tried again at the next start")]
    private static partial void LogFailed(ILogger logger, Exception exception, string key);
}
