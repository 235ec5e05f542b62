using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Data;

/// <summary>
/// The Communication module's tables: schema 'communication' (prefix 'communication_' on SQLite): the message
/// templates and their immutable versions, with the module's outbox and inbox.
/// </summary>
internal sealed class CommunicationDbContext(DbContextOptions<CommunicationDbContext> options)
    : ModuleDbContext<CommunicationDbContext>(options), IModuleDbContext
{
    public const int MaxKeyLength = 64;
    public const int MaxCommentLength = 500;
    public const int MaxActorLength = 200;

    public static string Schema => "communication";

    public DbSet<TemplateRecord> Templates => Set<TemplateRecord>();

    public DbSet<TemplateVersionRecord> TemplateVersions => Set<TemplateVersionRecord>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<TemplateRecord>(b =>
        {
            b.ToTable("templates");
            b.HasKey(t => t.Key);
            b.Property(t => t.Key).HasMaxLength(MaxKeyLength);
            b.Property(t => t.Languages).HasMaxLength(200);
            b.Property(t => t.UpdatedBy).HasMaxLength(MaxActorLength);
            b.Property(t => t.Revision).IsConcurrencyToken();
        });

        modelBuilder.Entity<TemplateVersionRecord>(b =>
        {
            b.ToTable("template_versions");

            // The key is what stops two concurrent saves of one template from taking the same number.
            b.HasKey(v => new { v.Key, v.Version });
            b.Property(v => v.Key).HasMaxLength(MaxKeyLength);
            b.Property(v => v.Content).IsRequired();
            b.Property(v => v.Author).HasMaxLength(MaxActorLength);
            b.Property(v => v.Comment).HasMaxLength(MaxCommentLength);
            b.Property(v => v.Origin).HasConversion<string>().HasMaxLength(10);
            b.Property(v => v.Sha256).HasMaxLength(64).IsFixedLength();
        });
    }
}

/// <summary>A message template: which version is published, and the counter its versions are numbered from.</summary>
internal sealed class TemplateRecord
{
    public required string Key { get; set; }

    public int PublishedVersion { get; set; }

    /// <summary>The highest version number taken; versions are 1..LatestVersion, none ever deleted.</summary>
    public int LatestVersion { get; set; }

    /// <summary>The published version's languages, comma-separated (for the list, without reading contents).</summary>
    public required string Languages { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }

    /// <summary>Bumped by every publication: a save that read an older revision fails and starts over.</summary>
    public int Revision { get; set; }
}

/// <summary>One version of a template, immutable once written: every language's subject, HTML and text, as JSON.</summary>
internal sealed class TemplateVersionRecord
{
    public required string Key { get; set; }

    public int Version { get; set; }

    /// <summary><c>{"en":{"subject":…,"html":…,"text":…},…}</c>, languages in ordinal order.</summary>
    public required string Content { get; set; }

    public required string Author { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? Comment { get; set; }

    public TemplateOrigin Origin { get; set; }

    /// <summary>For a rollback: the version whose content it republished.</summary>
    public int? RolledBackFrom { get; set; }

    /// <summary>SHA-256 of <see cref="Content"/>, lowercase hex: the seeder compares it with the files.</summary>
    public required string Sha256 { get; set; }
}

/// <summary>How a template version came to be.</summary>
internal enum TemplateOrigin
{
    /// <summary>Saved through <c>PUT /api/v1/templates/{key}</c>.</summary>
    Put,

    /// <summary>An older version republished by <c>POST /api/v1/templates/{key}/rollback</c>.</summary>
    Rollback,

    /// <summary>Imported from <c>templates/</c> at start-up.</summary>
    Seed,
}
