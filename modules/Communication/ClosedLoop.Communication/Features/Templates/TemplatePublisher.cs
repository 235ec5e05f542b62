using ClosedLoop.Web;
using ClosedLoop.Communication.Data;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Communication.Features.Templates;

/// <summary>What a save asks for: content to publish as the next version of a template.</summary>
internal sealed record TemplatePublishRequest(
    string Key,
    IReadOnlyDictionary<string, TemplateParts> Languages,
    string? Comment,
    string Author,
    TemplateOrigin Origin,
    int? RolledBackFrom,
    VersionPrecondition Precondition);

internal enum TemplatePublishStatus
{
    Created,
    Published,
    Unchanged,
    PreconditionFailed,
    Invalid,
    Contended,
}

internal sealed record TemplatePublishOutcome(
    TemplatePublishStatus Status,
    TemplateRecord? Template = null,
    TemplateVersionRecord? Version = null,
    IReadOnlyList<TemplateProblem>? Problems = null);

/// <summary>
/// Publishes template versions: validation first, outside any transaction, then one short write of the immutable
/// version and the template's published pointer, guarded by the template's revision and the version's key.
/// </summary>
internal sealed class TemplatePublisher(CommunicationDbContext db, TemplateValidator validator, TimeProvider time, ILogger<TemplatePublisher> logger)
{
    private const int Attempts = 5;

    public async Task<TemplatePublishOutcome> PublishAsync(TemplatePublishRequest request, CancellationToken cancellationToken)
    {
        var problems = validator.Validate(request.Languages, cancellationToken);
        if (problems.Count > 0)
        {
            return new TemplatePublishOutcome(TemplatePublishStatus.Invalid, Problems: problems);
        }

        var content = TemplateContent.Serialize(request.Languages);
        var sha = TemplateContent.Sha256Of(content);
        db.Database.AutoSavepointsEnabled = false;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            db.ChangeTracker.Clear();
            var template = await db.Templates.FirstOrDefaultAsync(t => t.Key == request.Key, cancellationToken);
            if (!request.Precondition.HoldsFor(template?.PublishedVersion))
            {
                return new TemplatePublishOutcome(TemplatePublishStatus.PreconditionFailed, template);
            }

            if (template is not null)
            {
                var published = await db.TemplateVersions.AsNoTracking()
                    .FirstAsync(v => v.Key == template.Key && v.Version == template.PublishedVersion, cancellationToken);
                if (published.Sha256 == sha && string.Equals(published.Content, content, StringComparison.Ordinal))
                {
                    return new TemplatePublishOutcome(TemplatePublishStatus.Unchanged, template, published);
                }
            }

            // PostgreSQL keeps microseconds: the answer to this save must show what a later read will.
            var now = time.GetUtcNow();
            now = now.AddTicks(-(now.Ticks % 10));
            var number = (template?.LatestVersion ?? 0) + 1;
            var version = new TemplateVersionRecord
            {
                Key = request.Key,
                Version = number,
                Content = content,
                Author = Truncate(request.Author, CommunicationDbContext.MaxActorLength),
                CreatedAt = now,
                Comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim(),
                Origin = request.Origin,
                RolledBackFrom = request.RolledBackFrom,
                Sha256 = sha,
            };
            var created = template is null;
            template ??= new TemplateRecord { Key = request.Key, Languages = "", UpdatedBy = version.Author };
            template.PublishedVersion = number;
            template.LatestVersion = number;
            template.Languages = TemplateContent.LanguagesOf(request.Languages);
            template.UpdatedAt = now;
            template.UpdatedBy = version.Author;
            template.Revision++;
            if (created)
            {
                db.Templates.Add(template);
            }

            db.TemplateVersions.Add(version);
            try
            {
                // One SaveChanges: the version and the pointer commit together or not at all.
                await db.SaveChangesAsync(cancellationToken);
                logger.LogInformation("Template {Key} v{Version} published ({Origin} by {Author})", request.Key, number, request.Origin, version.Author);
                return new TemplatePublishOutcome(created ? TemplatePublishStatus.Created : TemplatePublishStatus.Published, template, version);
            }
            catch (Exception ex) when (attempt < Attempts && (ex is DbUpdateConcurrencyException || DbErrors.IsWriteConflict(ex)))
            {
                // Another save took the version number or the template's revision first: read again.
                await Task.Delay(Random.Shared.Next(5, 25 * attempt), cancellationToken);
            }
        }

        return new TemplatePublishOutcome(TemplatePublishStatus.Contended);
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
