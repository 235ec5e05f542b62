using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Data;

/// <summary>
/// The Communication module's tables: schema 'communication' (prefix 'communication_' on SQLite): the message
/// templates and their immutable versions; the messages and their attempts; consent; webhook endpoints; improvements
/// and their announcements; answered survey steps; with the module's outbox and inbox.
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

    public DbSet<MessageRecord> Messages => Set<MessageRecord>();

    public DbSet<MessageAttemptRecord> MessageAttempts => Set<MessageAttemptRecord>();

    public DbSet<ConsentRecord> Consents => Set<ConsentRecord>();

    public DbSet<WebhookEndpointRecord> WebhookEndpoints => Set<WebhookEndpointRecord>();

    public DbSet<ImprovementRecord> Improvements => Set<ImprovementRecord>();

    public DbSet<ImprovementRecipientRecord> ImprovementRecipients => Set<ImprovementRecipientRecord>();

    public DbSet<AnnouncementRecord> Announcements => Set<AnnouncementRecord>();

    public DbSet<SettingRecord> Settings => Set<SettingRecord>();

    public DbSet<SurveyAnswerRecord> SurveyAnswers => Set<SurveyAnswerRecord>();

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

        modelBuilder.Entity<MessageRecord>(b =>
        {
            b.ToTable("messages");
            b.HasKey(m => m.Id);
            b.Property(m => m.DedupKey).HasMaxLength(MessageRecord.MaxDedupKeyLength);
            b.HasIndex(m => m.DedupKey).IsUnique();
            b.Property(m => m.Channel).HasConversion<string>().HasMaxLength(10);
            b.Property(m => m.Purpose).HasConversion<string>().HasMaxLength(16);
            b.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
            b.Property(m => m.TemplateKey).HasMaxLength(MaxKeyLength);
            b.Property(m => m.Language).HasMaxLength(35);
            b.Property(m => m.RecipientAddress).HasMaxLength(MessageRecord.MaxAddressLength);
            b.Property(m => m.RecipientName).HasMaxLength(MessageRecord.MaxNameLength);
            b.Property(m => m.Subject).HasMaxLength(MessageRecord.MaxSubjectLength);
            b.Property(m => m.ExternalId).HasMaxLength(200);
            b.Property(m => m.UnsubscribeUrl).HasMaxLength(2000);
            b.Property(m => m.SuppressionReason).HasMaxLength(MessageRecord.MaxReasonLength);
            b.Property(m => m.LastError).HasMaxLength(MessageRecord.MaxErrorLength);
            b.Property(m => m.CreatedBy).HasMaxLength(MaxActorLength);

            // The dispatcher's claim: due rows in order of due time (sent, dead and suppressed rows never are).
            b.HasIndex(m => new { m.Status, m.NextAttemptAt });
            b.HasIndex(m => new { m.CaseId, m.CreatedAt });
            b.HasIndex(m => new { m.CustomerId, m.CreatedAt });
            b.HasIndex(m => new { m.ImprovementId, m.Status });
            b.HasIndex(m => new { m.CreatedAt, m.Id });
        });

        modelBuilder.Entity<MessageAttemptRecord>(b =>
        {
            b.ToTable("message_attempts");
            b.HasKey(a => new { a.MessageId, a.Number });
            b.Property(a => a.Error).HasMaxLength(MessageRecord.MaxErrorLength);
        });

        modelBuilder.Entity<ConsentRecord>(b =>
        {
            b.ToTable("consents");
            b.HasKey(c => c.CustomerId);
            b.Property(c => c.UpdatedBy).HasMaxLength(MaxActorLength);
        });

        modelBuilder.Entity<WebhookEndpointRecord>(b =>
        {
            b.ToTable("webhook_endpoints");
            b.HasKey(w => w.Id);
            b.Property(w => w.Name).HasMaxLength(100);
            b.HasIndex(w => w.Name).IsUnique();
            b.Property(w => w.Url).HasMaxLength(2000);
            b.Property(w => w.Secret).HasMaxLength(200);
            b.Property(w => w.Events).HasMaxLength(2000);
            b.Property(w => w.CreatedBy).HasMaxLength(MaxActorLength);
        });

        modelBuilder.Entity<ImprovementRecord>(b =>
        {
            b.ToTable("improvements");
            b.HasKey(i => i.Id);
            b.Property(i => i.Title).HasMaxLength(200);
            b.Property(i => i.Description).HasMaxLength(5000);
            b.Property(i => i.Topics).HasMaxLength(5000);
            b.Property(i => i.CreatedBy).HasMaxLength(MaxActorLength);
        });

        modelBuilder.Entity<ImprovementRecipientRecord>(b =>
        {
            b.ToTable("improvement_recipients");
            b.HasKey(r => new { r.ImprovementId, r.CustomerId });
        });

        modelBuilder.Entity<AnnouncementRecord>(b =>
        {
            b.ToTable("announcements");
            b.HasKey(a => a.Id);
            b.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
            b.Property(a => a.CreatedBy).HasMaxLength(MaxActorLength);
            b.Property(a => a.Cursor).HasMaxLength(200);
            b.Property(a => a.Error).HasMaxLength(MessageRecord.MaxErrorLength);
            b.HasIndex(a => new { a.ImprovementId, a.CreatedAt });
            b.HasIndex(a => a.Status);
        });

        modelBuilder.Entity<SurveyAnswerRecord>(b =>
        {
            b.ToTable("survey_answers");
            b.HasKey(a => a.Id);
            b.Property(a => a.Id).ValueGeneratedNever();
            b.Property(a => a.ActivityId).HasMaxLength(SurveyAnswerRecord.MaxActivityIdLength);
            b.HasIndex(a => new { a.InstanceId, a.ActivityId }).IsUnique();
            b.HasIndex(a => a.CustomerId);
        });

        modelBuilder.Entity<SettingRecord>(b =>
        {
            b.ToTable("settings");
            b.HasKey(s => s.Key);
            b.Property(s => s.Key).HasMaxLength(100);
            b.Property(s => s.Value).HasMaxLength(2000);
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
