using System.Security.Cryptography;
using System.Text;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Store.Data;

namespace ClosedLoop.Workflows.Store;

/// <summary>
/// Publishing, whether an admin's draft (<c>POST …/publish</c>) or a default loop's file (the seeder): the next
/// immutable version row, the definition pointing at it, the draft gone. The caller saves; the version's key refuses
/// a second publication of the same number by a concurrent caller.
/// </summary>
internal static class DefinitionPublication
{
    /// <summary>Adds version <paramref name="version"/> of <paramref name="document"/> to <paramref name="db"/> (unsaved).</summary>
    public static void Add(WorkflowsDbContext db, DefinitionRecord record, WorkflowDefinitionDocument document, int version, string author, DefinitionOrigin origin, DateTimeOffset now)
    {
        var json = (document with { DefinitionId = record.DefinitionId, Version = version, IsPublished = true, IsLatest = true }).ToJson();
        db.DefinitionVersions.Add(new DefinitionVersionRecord
        {
            DefinitionId = record.DefinitionId,
            Version = version,
            Json = json,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))),
            PublishedAt = now,
            PublishedBy = Truncate(author, WorkflowsDbContext.MaxActorLength),
            Origin = origin,
        });
        record.Name = Truncate(document.Name, WorkflowsDbContext.MaxNameLength);
        record.PublishedVersion = version;
        record.DraftJson = null;
        record.DraftUpdatedAt = null;
        record.DraftUpdatedBy = null;
        record.Revision++;
    }

    public static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
