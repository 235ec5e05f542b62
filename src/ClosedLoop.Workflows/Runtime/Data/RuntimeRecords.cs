using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Workflows.Runtime.Data;

/// <summary>One loop run, pinned to a published version. <see cref="StateJson"/> is read only by the runner and the detail view.</summary>
internal sealed class InstanceRecord
{
    public Guid Id { get; set; }

    public required string DefinitionId { get; set; }

    public int Version { get; set; }

    /// <summary>The case it runs for.</summary>
    public Guid CorrelationId { get; set; }

    /// <summary>"{definitionId}:{correlationId:N}": unique, so a loop starts once per case however often it is asked to.</summary>
    public required string StartKey { get; set; }

    public InstanceStatus Status { get; set; }

    /// <summary>Tokens, join arrivals, variables and outputs (<see cref="InstanceState"/>).</summary>
    public required string StateJson { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Set while the instance has work (a new token, a resumed bookmark, a retry); cleared by the run that leaves it none.</summary>
    public DateTimeOffset? RunnableSince { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>The concurrency token: a run commits only over the revision it read.</summary>
    public int Revision { get; set; }
}

internal enum InstanceStatus
{
    Running,
    Waiting,
    Faulted,
    Completed,
    Cancelled,
}

/// <summary>A wait: burned (deleted) by the first stimulus or timer that resumes it; the delete is what makes a resume happen once.</summary>
internal sealed class BookmarkRecord
{
    public Guid Id { get; set; }

    public Guid InstanceId { get; set; }

    public required string ActivityId { get; set; }

    public required string ActivityType { get; set; }

    /// <summary>What resumes it (e.g. case-event), null for a pure timer.</summary>
    public string? Kind { get; set; }

    public string? Key { get; set; }

    public DateTimeOffset? DueAt { get; set; }

    public required string Port { get; set; }

    public required string TimeoutPort { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The timer's Quartz trigger exists (set after the commit that created the bookmark; the relay re-schedules the rest).</summary>
    public bool TimerScheduled { get; set; }
}

/// <summary>A resumed bookmark the instance has not run on yet.</summary>
internal sealed class WakeupRecord
{
    public Guid Id { get; set; }

    public Guid InstanceId { get; set; }

    public required string ActivityId { get; set; }

    public required string Port { get; set; }

    public string? PayloadJson { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One activity execution (or resume), in order: the instance's log.</summary>
internal sealed class ExecutionRecord
{
    public long Id { get; set; }

    public Guid InstanceId { get; set; }

    public int Sequence { get; set; }

    public required string ActivityId { get; set; }

    public required string ActivityType { get; set; }

    public required string Outcome { get; set; }

    public string? Port { get; set; }

    public string? Message { get; set; }

    public DateTimeOffset At { get; set; }

    public int DurationMs { get; set; }
}

/// <summary>A faulted step, until an operator retries the instance.</summary>
internal sealed class IncidentRecord
{
    public Guid Id { get; set; }

    public Guid InstanceId { get; set; }

    public required string ActivityId { get; set; }

    public required string ActivityType { get; set; }

    public required string Message { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public string? ResolvedBy { get; set; }
}

internal static class RuntimeModel
{
    public const int MaxKeyLength = 200;
    public const int MaxMessageLength = 2000;

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InstanceRecord>(b =>
        {
            b.ToTable("instances");
            b.HasKey(i => i.Id);
            b.Property(i => i.DefinitionId).HasMaxLength(64);
            b.Property(i => i.StartKey).HasMaxLength(120);
            b.HasIndex(i => i.StartKey).IsUnique();
            b.Property(i => i.Status).HasConversion<string>().HasMaxLength(12);
            b.Property(i => i.StateJson).IsRequired();
            b.Property(i => i.LeaseOwner).HasMaxLength(64);
            b.Property(i => i.Revision).IsConcurrencyToken();
            b.HasIndex(i => new { i.CorrelationId, i.CreatedAt });
            b.HasIndex(i => new { i.DefinitionId, i.Status, i.CreatedAt });
            b.HasIndex(i => new { i.Status, i.CreatedAt });
            b.HasIndex(i => i.CreatedAt);
            b.HasIndex(i => i.RunnableSince);
        });

        modelBuilder.Entity<BookmarkRecord>(b =>
        {
            b.ToTable("bookmarks");
            b.HasKey(x => x.Id);
            b.Property(x => x.ActivityId).HasMaxLength(64);
            b.Property(x => x.ActivityType).HasMaxLength(64);
            b.Property(x => x.Kind).HasMaxLength(64);
            b.Property(x => x.Key).HasMaxLength(MaxKeyLength);
            b.Property(x => x.Port).HasMaxLength(64);
            b.Property(x => x.TimeoutPort).HasMaxLength(64);
            b.HasIndex(x => new { x.Kind, x.Key });
            b.HasIndex(x => x.InstanceId);
            b.HasIndex(x => new { x.TimerScheduled, x.DueAt });
        });

        modelBuilder.Entity<WakeupRecord>(b =>
        {
            b.ToTable("wakeups");
            b.HasKey(x => x.Id);
            b.Property(x => x.ActivityId).HasMaxLength(64);
            b.Property(x => x.Port).HasMaxLength(64);
            b.HasIndex(x => new { x.InstanceId, x.CreatedAt });
        });

        modelBuilder.Entity<ExecutionRecord>(b =>
        {
            b.ToTable("executions");
            b.HasKey(x => x.Id);
            b.Property(x => x.ActivityId).HasMaxLength(64);
            b.Property(x => x.ActivityType).HasMaxLength(64);
            b.Property(x => x.Outcome).HasMaxLength(16);
            b.Property(x => x.Port).HasMaxLength(64);
            b.Property(x => x.Message).HasMaxLength(MaxMessageLength);
            b.HasIndex(x => new { x.InstanceId, x.Sequence });
            b.HasIndex(x => x.At);
        });

        modelBuilder.Entity<IncidentRecord>(b =>
        {
            b.ToTable("incidents");
            b.HasKey(x => x.Id);
            b.Property(x => x.ActivityId).HasMaxLength(64);
            b.Property(x => x.ActivityType).HasMaxLength(64);
            b.Property(x => x.Message).HasMaxLength(MaxMessageLength);
            b.Property(x => x.ResolvedBy).HasMaxLength(200);
            b.HasIndex(x => new { x.InstanceId, x.CreatedAt });
            b.HasIndex(x => x.ResolvedAt);
        });
    }
}
