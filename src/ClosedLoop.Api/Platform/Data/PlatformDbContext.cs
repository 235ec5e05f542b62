using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Platform.Data;

/// <summary>The host's own tables: API keys and the audit trail (schema 'platform').</summary>
internal sealed class PlatformDbContext(DbContextOptions<PlatformDbContext> options)
    : ModuleDbContext<PlatformDbContext>(options), IModuleDbContext
{
    public static string Schema => "platform";

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ApiKey>(b =>
        {
            b.ToTable("api_keys");
            b.HasKey(k => k.Id);
            b.Property(k => k.Name).HasMaxLength(ApiKey.MaxNameLength).IsRequired();
            b.Property(k => k.Role).HasMaxLength(20).IsRequired();
            b.Property(k => k.Prefix).HasMaxLength(16).IsRequired();
            b.Property(k => k.Hash).HasMaxLength(64).IsRequired();
            b.Property(k => k.CreatedBy).HasMaxLength(200).IsRequired();
            b.Property(k => k.RevokedBy).HasMaxLength(200);
            b.HasIndex(k => k.Hash).IsUnique();
            b.HasIndex(k => k.CreatedAt);
        });

        modelBuilder.Entity<AuditEntry>(b =>
        {
            b.ToTable("audit_entries");
            b.HasKey(a => a.Id);
            b.Property(a => a.Id).ValueGeneratedNever();
            b.Property(a => a.Action).HasMaxLength(100).IsRequired();
            b.Property(a => a.Target).HasMaxLength(300);
            b.Property(a => a.ActorId).HasMaxLength(200).IsRequired();
            b.Property(a => a.ActorName).HasMaxLength(200).IsRequired();
            b.Property(a => a.ActorRole).HasMaxLength(20);
            b.Property(a => a.Method).HasMaxLength(10).IsRequired();
            b.Property(a => a.Path).HasMaxLength(500).IsRequired();
            b.Property(a => a.TraceId).HasMaxLength(100);
            b.Property(a => a.Details).HasMaxLength(4000);
            b.HasIndex(a => a.At);
            b.HasIndex(a => new { a.ActorId, a.At });
            b.HasIndex(a => new { a.Action, a.At });
        });
    }
}

/// <summary>An API key: only its SHA-256 hash is stored; the secret is shown once, at creation.</summary>
internal sealed class ApiKey
{
    public const int MaxNameLength = 100;

    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required string Role { get; set; }

    /// <summary>The first characters of the secret, so a person can tell keys apart.</summary>
    public required string Prefix { get; set; }

    public required string Hash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>One admin change, as recorded; never updated.</summary>
internal sealed class AuditEntry
{
    public Guid Id { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Action { get; set; }

    public string? Target { get; set; }

    public required string ActorId { get; set; }

    public required string ActorName { get; set; }

    public string? ActorRole { get; set; }

    public required string Method { get; set; }

    public required string Path { get; set; }

    public int Status { get; set; }

    public string? TraceId { get; set; }

    public string? Details { get; set; }
}
