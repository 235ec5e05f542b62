using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Rules.Store.Data;

/// <summary>
/// The rule-set store: schema 'rules' (prefix 'rules_' on SQLite). Sets and their immutable versions, one
/// catalog row per input whose sequence is the engine's refresh stamp, and the incidents admins look at.
/// </summary>
internal sealed class RulesDbContext(DbContextOptions<RulesDbContext> options)
    : ModuleDbContext<RulesDbContext>(options), IModuleDbContext
{
    public const int MaxNameLength = 100;
    public const int MaxCommentLength = 500;
    public const int MaxActorLength = 200;
    public const int MaxIncidentMessageLength = 2000;

    public static string Schema => "rules";

    public DbSet<RuleSetRecord> RuleSets => Set<RuleSetRecord>();

    public DbSet<RuleSetVersionRecord> Versions => Set<RuleSetVersionRecord>();

    public DbSet<RuleCatalogRecord> Catalogs => Set<RuleCatalogRecord>();

    public DbSet<RuleIncidentRecord> Incidents => Set<RuleIncidentRecord>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RuleSetRecord>(b =>
        {
            b.ToTable("rule_sets");
            b.HasKey(s => s.Name);
            b.Property(s => s.Name).HasMaxLength(MaxNameLength);
            b.Property(s => s.Input).HasMaxLength(50);
            b.Property(s => s.UpdatedBy).HasMaxLength(MaxActorLength);
            b.Property(s => s.Revision).IsConcurrencyToken();

            // The catalog load and the list: a set's input, in evaluation order.
            b.HasIndex(s => new { s.Input, s.Order, s.Name });
        });

        modelBuilder.Entity<RuleSetVersionRecord>(b =>
        {
            b.ToTable("rule_set_versions");

            // The key is what stops two concurrent saves of one set from taking the same number.
            b.HasKey(v => new { v.Name, v.Version });
            b.Property(v => v.Name).HasMaxLength(MaxNameLength);
            b.Property(v => v.Json).IsRequired();
            b.Property(v => v.Author).HasMaxLength(MaxActorLength);
            b.Property(v => v.Comment).HasMaxLength(MaxCommentLength);
            b.Property(v => v.Origin).HasConversion<string>().HasMaxLength(10);
            b.Property(v => v.Sha256).HasMaxLength(64).IsFixedLength();
        });

        modelBuilder.Entity<RuleCatalogRecord>(b =>
        {
            b.ToTable("catalogs");
            b.HasKey(c => c.Input);
            b.Property(c => c.Input).HasMaxLength(50);
        });

        modelBuilder.Entity<RuleIncidentRecord>(b =>
        {
            b.ToTable("incidents");
            b.HasKey(i => i.Id);
            b.Property(i => i.Id).ValueGeneratedNever();
            b.Property(i => i.Kind).HasConversion<string>().HasMaxLength(20);
            b.Property(i => i.Input).HasMaxLength(50);
            b.Property(i => i.RuleSet).HasMaxLength(MaxNameLength);
            b.Property(i => i.Message).HasMaxLength(MaxIncidentMessageLength);
            b.HasIndex(i => i.At);
            b.HasIndex(i => new { i.RuleSet, i.At });
        });
    }
}

/// <summary>A rule set: which version is published, and the counter its versions are numbered from.</summary>
internal sealed class RuleSetRecord
{
    public required string Name { get; set; }

    /// <summary>The rules input it belongs to (fixed at creation).</summary>
    public required string Input { get; set; }

    /// <summary>The published version's order (copied, so the list needs no join).</summary>
    public int Order { get; set; }

    public int PublishedVersion { get; set; }

    /// <summary>The highest version number taken; versions are 1..LatestVersion, none ever deleted.</summary>
    public int LatestVersion { get; set; }

    /// <summary>Rules in the published version (nested included), for the list.</summary>
    public int RuleCount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }

    /// <summary>Bumped by every publication: a save that read an older revision fails and is staged again.</summary>
    public int Revision { get; set; }
}

/// <summary>One version of a rule set, immutable once written: the Workflow JSON exactly as it was submitted.</summary>
internal sealed class RuleSetVersionRecord
{
    public required string Name { get; set; }

    public int Version { get; set; }

    public required string Json { get; set; }

    public int Order { get; set; }

    public int RuleCount { get; set; }

    public required string Author { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? Comment { get; set; }

    public RuleSetOrigin Origin { get; set; }

    /// <summary>For a rollback: the version whose text and order it republished.</summary>
    public int? RolledBackFrom { get; set; }

    /// <summary>SHA-256 of the UTF-8 text, lowercase hex: tells identical texts apart at a glance.</summary>
    public required string Sha256 { get; set; }
}

/// <summary>
/// One row per input: <see cref="Sequence"/> grows with every publication, in the same transaction, so reading
/// it is the engine's whole "did anything change?" check.
/// </summary>
internal sealed class RuleCatalogRecord
{
    public required string Input { get; set; }

    public long Sequence { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An incident the engine reported (time-out, suspension, load failure), kept for admins.</summary>
internal sealed class RuleIncidentRecord
{
    public Guid Id { get; set; }

    public DateTimeOffset At { get; set; }

    public RuleIncidentKind Kind { get; set; }

    public required string Input { get; set; }

    public string? RuleSet { get; set; }

    public int? Version { get; set; }

    public required string Message { get; set; }
}

/// <summary>How a version came to be.</summary>
internal enum RuleSetOrigin
{
    /// <summary>Saved through <c>PUT /api/v1/rule-sets/{name}</c>.</summary>
    Put,

    /// <summary>An older version republished by <c>POST /api/v1/rule-sets/{name}/rollback</c>.</summary>
    Rollback,

    /// <summary>Imported from a file in <c>rules/</c> at start-up.</summary>
    Seed,
}
