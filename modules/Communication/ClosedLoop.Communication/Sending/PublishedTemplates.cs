using System.Collections.Concurrent;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Features.Templates;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.Communication.Templates;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Sending;

/// <summary>A template's published version, every language parsed from the store once.</summary>
internal sealed record PublishedTemplate(string Key, int Version, IReadOnlyDictionary<string, MessageTemplate> Languages)
{
    /// <summary>The language a reader of <paramref name="preferred"/> gets, and its parts.</summary>
    public (string Language, MessageTemplate Template) For(string? preferred)
    {
        var language = TemplateLanguages.Choose(Languages.Keys.ToList(), preferred);
        return (language, Languages[language]);
    }
}

/// <summary>
/// Reads the published version of a template: one key lookup per call (or none, when the caller read the published
/// version with other things), the version's content deserialised once (versions never change, so the cache needs no
/// invalidation, only a bound).
/// </summary>
internal sealed class PublishedTemplates
{
    private const int Capacity = 512;

    private readonly ConcurrentDictionary<(string Key, int Version), PublishedTemplate> versions = new();

    public async Task<PublishedTemplate?> FindAsync(CommunicationDbContext db, string key, CancellationToken cancellationToken)
    {
        var published = await db.Templates.AsNoTracking().Where(t => t.Key == key).Select(t => (int?)t.PublishedVersion).FirstOrDefaultAsync(cancellationToken);
        return published is { } version ? await VersionAsync(db, key, version, cancellationToken) : null;
    }

    /// <summary>Version <paramref name="version"/> of <paramref name="key"/>, which the caller read as the published one.</summary>
    public async Task<PublishedTemplate> VersionAsync(CommunicationDbContext db, string key, int version, CancellationToken cancellationToken)
    {
        if (versions.TryGetValue((key, version), out var cached))
        {
            return cached;
        }

        var content = await db.TemplateVersions.AsNoTracking().Where(v => v.Key == key && v.Version == version).Select(v => v.Content).FirstAsync(cancellationToken);
        var template = new PublishedTemplate(key, version, TemplateContent.Deserialize(content).ToDictionary(l => l.Key, l => l.Value.ToMessage(), StringComparer.Ordinal));
        if (versions.Count >= Capacity)
        {
            versions.Clear();
        }

        versions[(key, version)] = template;
        return template;
    }
}
