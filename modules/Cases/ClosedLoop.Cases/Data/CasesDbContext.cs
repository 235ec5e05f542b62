using ClosedLoop.Cases.Domain;
using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Data;

/// <summary>The Cases module's tables: schema 'cases' (prefix 'cases_' on SQLite), with its outbox and inbox.</summary>
internal sealed class CasesDbContext(DbContextOptions<CasesDbContext> options)
    : ModuleDbContext<CasesDbContext>(options), IModuleDbContext
{
    public static string Schema => "cases";

    public DbSet<Case> Cases => Set<Case>();

    public DbSet<CaseEntry> Entries => Set<CaseEntry>();

    public DbSet<CaseTopic> Topics => Set<CaseTopic>();

    public DbSet<Team> Teams => Set<Team>();

    public DbSet<TeamMember> Members => Set<TeamMember>();

    public DbSet<RootCause> RootCauses => Set<RootCause>();

    public DbSet<Backfill> Backfills => Set<Backfill>();

    public DbSet<CaseWorkflowStep> WorkflowSteps => Set<CaseWorkflowStep>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Case>(b =>
        {
            b.ToTable("cases");
            b.HasKey(c => c.Id);
            b.Property(c => c.Id).ValueGeneratedNever();
            b.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
            b.Property(c => c.Priority).HasConversion<int>();
            b.Property(c => c.Level).HasConversion<int>();
            b.Property(c => c.AutoEscalatedTo).HasConversion<int?>();
            b.Property(c => c.TeamKey).HasMaxLength(64);
            b.Property(c => c.AssigneeId).HasMaxLength(200);
            b.Property(c => c.AssigneeName).HasMaxLength(200);
            b.Property(c => c.Loop).HasMaxLength(200);
            b.Property(c => c.Category).HasMaxLength(10);
            b.Property(c => c.Sentiment).HasMaxLength(10);
            b.Property(c => c.RootCause).HasMaxLength(64);
            b.Property(c => c.ResolutionNote).HasMaxLength(CaseEntry.MaxTextLength);
            b.Property(c => c.CustomerSummary).HasMaxLength(CaseEntry.MaxTextLength);
            b.Property(c => c.Version).IsConcurrencyToken();
            b.Ignore(c => c.NewEntries);
            b.Ignore(c => c.Events);

            // One case per feedback, whatever is redelivered.
            b.HasIndex(c => c.FeedbackId).IsUnique();

            // Lists: every filter leads an index that ends in the sort (due time, then id) so pages are range scans.
            b.HasIndex(c => new { c.DueSort, c.Id });
            b.HasIndex(c => new { c.Status, c.DueSort, c.Id });
            b.HasIndex(c => new { c.TeamId, c.DueSort, c.Id });
            b.HasIndex(c => new { c.AssigneeId, c.DueSort, c.Id });

            // Priority descending: also the order of sort=priority (priority down, then due time, then id), which an
            // ascending index can only give by sorting every matching case.
            b.HasIndex(c => new { c.Priority, c.DueSort, c.Id }).IsDescending(true, false, false);
            b.HasIndex(c => new { c.Level, c.DueSort, c.Id });
            b.HasIndex(c => new { c.CustomerId, c.DueSort, c.Id });

            // The SLA monitor: open cases whose next due time has passed, and untouched ones.
            b.HasIndex(c => new { c.Status, c.LastActivityAt });
        });

        modelBuilder.Entity<CaseEntry>(b =>
        {
            b.ToTable("case_entries");
            b.HasKey(e => e.Id);
            b.Property(e => e.Kind).HasMaxLength(40);
            b.Property(e => e.ActorId).HasMaxLength(200);
            b.Property(e => e.ActorName).HasMaxLength(200);
            b.Property(e => e.Text).HasMaxLength(CaseEntry.MaxTextLength);
            b.HasIndex(e => new { e.CaseId, e.Id });
            b.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CaseTopic>(b =>
        {
            b.ToTable("case_topics");
            b.HasKey(t => new { t.CaseId, t.Topic });
            b.Property(t => t.Topic).HasMaxLength(CaseTopic.MaxLength);
            b.HasIndex(t => new { t.Topic, t.CaseId });
            b.HasOne<Case>().WithMany().HasForeignKey(t => t.CaseId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Team>(b =>
        {
            b.ToTable("teams");
            b.HasKey(t => t.Id);
            b.Property(t => t.Id).ValueGeneratedNever();
            b.Property(t => t.Key).HasMaxLength(64);
            b.Property(t => t.Name).HasMaxLength(200);
            b.Property(t => t.TimeZone).HasMaxLength(64);
            b.Property(t => t.Version).IsConcurrencyToken();
            b.HasIndex(t => t.Key).IsUnique();
            b.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TeamMember>(b =>
        {
            b.ToTable("team_members");
            b.HasKey(m => new { m.TeamId, m.UserId });
            b.Property(m => m.UserId).HasMaxLength(200);
            b.Property(m => m.Name).HasMaxLength(200);
            b.Property(m => m.Email).HasMaxLength(320);
            b.Property(m => m.Level).HasConversion<int>();
            b.HasIndex(m => m.UserId);
        });

        modelBuilder.Entity<RootCause>(b =>
        {
            b.ToTable("root_causes");
            b.HasKey(r => r.Key);
            b.Property(r => r.Key).HasMaxLength(64);
            b.Property(r => r.Name).HasMaxLength(200);
            b.Property(r => r.Description).HasMaxLength(2_000);
        });

        modelBuilder.Entity<CaseWorkflowStep>(b =>
        {
            b.ToTable("workflow_steps");
            b.HasKey(s => s.StepKey);
            b.Property(s => s.StepKey).HasMaxLength(CaseWorkflowStep.MaxStepKeyLength);
            b.Property(s => s.ActivityType).HasMaxLength(100);
            b.Property(s => s.Port).HasMaxLength(100);
            b.HasIndex(s => s.CaseId);
            b.HasOne<Case>().WithMany().HasForeignKey(s => s.CaseId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Backfill>(b =>
        {
            b.ToTable("backfills");
            b.HasKey(x => x.Name);
            b.Property(x => x.Name).HasMaxLength(64);
            b.Property(x => x.Version).IsConcurrencyToken();

            // Inserted by the migration that adds it, so a database upgraded with cases in it runs the pass once.
            b.HasData(new Backfill { Name = Features.Access.CaseAccessBackfill.Name });
        });
    }
}
