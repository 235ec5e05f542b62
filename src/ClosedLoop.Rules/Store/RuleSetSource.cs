using System.Globalization;
using ClosedLoop.Rules.Store.Data;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Rules.Store;

/// <summary>
/// The engine's view of the store: the published version of every set of an input, and the input's catalog
/// sequence as the stamp. Scoped (one DbContext); the engine opens a scope per use.
/// </summary>
internal sealed class RuleSetSource(RulesDbContext db) : IRuleSetSource
{
    /// <remarks>
    /// Called before every unit of work on every replica: one primary-key read. Not an EF compiled query on
    /// purpose: those bind to the first model they meet, and a process may hold several (one per provider in
    /// the tests); EF's own query cache, keyed by model, already spares the translation.
    /// </remarks>
    public async ValueTask<string> GetStampAsync(string inputName, CancellationToken cancellationToken) =>
        Format(await db.Catalogs.AsNoTracking().Where(c => c.Input == inputName).Select(c => (long?)c.Sequence).FirstOrDefaultAsync(cancellationToken));

    public async ValueTask<RuleSetCatalog> LoadAsync(string inputName, CancellationToken cancellationToken)
    {
        // The stamp first, then the sets: the sets are then at least as new as the stamp. A publication in
        // between only makes the next refresh load again; the other order could pin an old catalog to a new stamp.
        var stamp = await GetStampAsync(inputName, cancellationToken);
        var published = await db.RuleSets.AsNoTracking()
            .Where(s => s.Input == inputName)
            .Join(db.Versions.AsNoTracking(), s => new { s.Name, Version = s.PublishedVersion }, v => new { v.Name, v.Version }, (s, v) => v)
            .Select(v => new RuleSetDefinition(v.Name, v.Version, v.Order, v.Json))
            .ToListAsync(cancellationToken);
        return new RuleSetCatalog(stamp, published);
    }

    public static string Format(long? sequence) => (sequence ?? 0).ToString(CultureInfo.InvariantCulture);
}
