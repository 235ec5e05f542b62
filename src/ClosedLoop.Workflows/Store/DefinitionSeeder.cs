using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Workflows.Store;

/// <summary>The store's settings, section <c>Workflows</c>.</summary>
public sealed class WorkflowStoreOptions
{
    public const string Section = "Workflows";

    /// <summary>Import the default loops at start-up (new ones, and changed files whose definition no admin has edited).</summary>
    public bool SeedOnStartup { get; set; } = true;

    /// <summary>Where the default loops are read from; default <c>workflows/</c> next to the host's binaries.</summary>
    public string? SeedDirectory { get; set; }

    public string ResolveSeedDirectory() =>
        string.IsNullOrWhiteSpace(SeedDirectory)
            ? Path.Combine(AppContext.BaseDirectory, "workflows")
            : Path.GetFullPath(SeedDirectory, AppContext.BaseDirectory);
}

/// <summary>
/// Imports <c>workflows/&lt;definitionId&gt;.json</c> at start-up, validated as an admin's draft would be: a new
/// definition is published as version 1; a changed file becomes a new version only while every published version
/// came from the files and no draft waits, so an admin's edit is never overwritten. A file that does not validate is
/// logged and skipped (a test keeps the shipped ones valid). Run after the modules' seeders: loops name their teams
/// and templates.
/// </summary>
internal sealed class DefinitionSeeder(IServiceScopeFactory scopes, IOptions<WorkflowStoreOptions> options, TimeProvider time, ILogger<DefinitionSeeder> logger) : IHostedService
{
    public const string Author = "seed";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedOnStartup)
        {
            return;
        }

        var directory = options.Value.ResolveSeedDirectory();
        if (!Directory.Exists(directory))
        {
            logger.LogWarning("No default loops: {Directory} does not exist", directory);
            return;
        }

        foreach (var file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                await SeedAsync(file, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Not fatal (an unmigrated database, a database down): the host serves what the store has, and the next start tries again.
                logger.LogError(ex, "The default loop {File} could not be imported", file);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(string file, CancellationToken cancellationToken)
    {
        var definitionId = Path.GetFileNameWithoutExtension(file);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
        var validator = scope.ServiceProvider.GetRequiredService<DefinitionValidator>();
        if (!WorkflowDefinitionJson.TryParse(await File.ReadAllTextAsync(file, cancellationToken), out var seed, out var errors)
            || (errors = await validator.ValidateAsync(seed, cancellationToken)).Count > 0)
        {
            logger.LogError("The default loop {File} is invalid and was not imported: {Errors}", file, string.Join("; ", errors.Select(e => $"{e.ActivityId} {e.Path}: {e.Message}")));
            return;
        }

        if (seed.DefinitionId != definitionId)
        {
            logger.LogError("The default loop {File} names definitionId '{Id}'; the file name decides: not imported", file, seed.DefinitionId);
            return;
        }

        var record = await db.Definitions.FirstOrDefaultAsync(d => d.DefinitionId == definitionId, cancellationToken);
        var versions = await db.DefinitionVersions.AsNoTracking().Where(v => v.DefinitionId == definitionId)
            .OrderByDescending(v => v.Version).Select(v => new { v.Version, v.Json, v.Origin }).ToListAsync(cancellationToken);
        if (record is not null && (record.DraftJson is not null || versions.Any(v => v.Origin != DefinitionOrigin.Seed)))
        {
            return; // An admin has edited it: theirs stands.
        }

        if (versions.Count > 0 && WorkflowDefinitionJson.TryParse(versions[0].Json, out var latest, out _) && Comparable(latest) == Comparable(seed))
        {
            return;
        }

        var now = time.GetUtcNow();
        var version = (versions.Count == 0 ? 0 : versions[0].Version) + 1;
        record ??= db.Definitions.Add(new DefinitionRecord { DefinitionId = definitionId, Name = "", CreatedAt = now }).Entity;
        DefinitionPublication.Add(db, record, seed, version, Author, DefinitionOrigin.Seed, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Default loop {DefinitionId} imported as version {Version}", definitionId, version);
        }
        catch (DbUpdateException)
        {
            // Another replica imported it at the same moment: its version stands.
            logger.LogInformation("Default loop {DefinitionId} was imported by another replica", definitionId);
        }
    }

    /// <summary>The content without what the store sets (version and flags), to tell a changed file from an unchanged one.</summary>
    private static string Comparable(WorkflowDefinitionDocument document) => (document with { Version = 0, IsPublished = false, IsLatest = false }).ToJson();
}
