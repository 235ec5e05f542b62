using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using ClosedLoop.Workflows.Runtime.Data;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Workflows.Store.Data;

/// <summary>
/// The workflow store: schema 'workflows' (prefix 'workflows_' on SQLite). Loop definitions (each with at most one
/// draft) and their immutable published versions; the runtime's instances, bookmarks, wakeups, execution log and
/// incidents; the store's outbox and inbox.
/// </summary>
internal sealed class WorkflowsDbContext(DbContextOptions<WorkflowsDbContext> options)
    : ModuleDbContext<WorkflowsDbContext>(options), IModuleDbContext
{
    public const int MaxIdLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxActorLength = 200;

    public static string Schema => "workflows";

    public DbSet<DefinitionRecord> Definitions => Set<DefinitionRecord>();

    public DbSet<DefinitionVersionRecord> DefinitionVersions => Set<DefinitionVersionRecord>();

    public DbSet<InstanceRecord> Instances => Set<InstanceRecord>();

    public DbSet<BookmarkRecord> Bookmarks => Set<BookmarkRecord>();

    public DbSet<WakeupRecord> Wakeups => Set<WakeupRecord>();

    public DbSet<ExecutionRecord> Executions => Set<ExecutionRecord>();

    public DbSet<IncidentRecord> Incidents => Set<IncidentRecord>();

    /// <summary>Instances this context made runnable in its current transaction: the commit wakes the runner for them.</summary>
    internal HashSet<Guid> RunnablePending { get; } = [];

    // Contexts are pooled: a mark left by a transaction that never committed must not wake the runner for the next user.
    public override void Dispose()
    {
        RunnablePending.Clear();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        RunnablePending.Clear();
        return base.DisposeAsync();
    }

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DefinitionRecord>(b =>
        {
            b.ToTable("definitions");
            b.HasKey(d => d.DefinitionId);
            b.Property(d => d.DefinitionId).HasMaxLength(MaxIdLength);
            b.Property(d => d.Name).HasMaxLength(MaxNameLength);
            b.Property(d => d.DraftUpdatedBy).HasMaxLength(MaxActorLength);
            b.Property(d => d.Revision).IsConcurrencyToken();
        });

        modelBuilder.Entity<DefinitionVersionRecord>(b =>
        {
            b.ToTable("definition_versions");

            // The key is what stops two concurrent publications of one definition from taking the same number.
            b.HasKey(v => new { v.DefinitionId, v.Version });
            b.Property(v => v.DefinitionId).HasMaxLength(MaxIdLength);
            b.Property(v => v.Json).IsRequired();
            b.Property(v => v.PublishedBy).HasMaxLength(MaxActorLength);
            b.Property(v => v.Origin).HasConversion<string>().HasMaxLength(10);
            b.Property(v => v.Sha256).HasMaxLength(64).IsFixedLength();
        });

        RuntimeModel.Configure(modelBuilder);
    }
}

/// <summary>A loop definition: its draft, if any, and which version is published.</summary>
internal sealed class DefinitionRecord
{
    public required string DefinitionId { get; set; }

    public required string Name { get; set; }

    /// <summary>The draft being edited (canonical JSON), or null when the published version is the latest.</summary>
    public string? DraftJson { get; set; }

    public DateTimeOffset? DraftUpdatedAt { get; set; }

    public string? DraftUpdatedBy { get; set; }

    /// <summary>The published version new instances start; null before the first publication.</summary>
    public int? PublishedVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Bumped by every change: a save that read an older revision fails (and <c>If-Match</c> compares with it).</summary>
    public int Revision { get; set; }
}

/// <summary>One published version, immutable: running instances stay pinned to it.</summary>
internal sealed class DefinitionVersionRecord
{
    public required string DefinitionId { get; set; }

    public int Version { get; set; }

    /// <summary>The canonical JSON, with <c>version</c> and <c>isPublished</c> set.</summary>
    public required string Json { get; set; }

    public required string Sha256 { get; set; }

    public DateTimeOffset PublishedAt { get; set; }

    public required string PublishedBy { get; set; }

    public DefinitionOrigin Origin { get; set; }
}

/// <summary>How a version came to be.</summary>
internal enum DefinitionOrigin
{
    /// <summary>An admin's draft, published through <c>POST …/publish</c>.</summary>
    Api,

    /// <summary>Imported from <c>workflows/</c> at start-up.</summary>
    Seed,
}
