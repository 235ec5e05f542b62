using ClosedLoop.Feedback.Domain;
using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Data;

/// <summary>The Feedback module's tables: schema 'feedback' (prefix 'feedback_' on SQLite), with its outbox and inbox.</summary>
internal sealed class FeedbackDbContext(DbContextOptions<FeedbackDbContext> options)
    : ModuleDbContext<FeedbackDbContext>(options), IModuleDbContext
{
    public static string Schema => "feedback";

    public DbSet<FeedbackItem> Items => Set<FeedbackItem>();

    public DbSet<ItemTopic> ItemTopics => Set<ItemTopic>();

    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<CustomerVersion> CustomerVersions => Set<CustomerVersion>();

    public DbSet<IdempotencyKey> IdempotencyKeys => Set<IdempotencyKey>();

    public DbSet<FeedbackImport> Imports => Set<FeedbackImport>();

    public DbSet<ImportChunk> ImportChunks => Set<ImportChunk>();

    public DbSet<ImportError> ImportErrors => Set<ImportError>();

    public DbSet<CustomerCase> CustomerCases => Set<CustomerCase>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<FeedbackItem>(b =>
        {
            b.ToTable("items");
            b.HasKey(i => i.Id);
            b.Property(i => i.Id).ValueGeneratedNever();
            b.Property(i => i.Source).HasMaxLength(100);
            b.Property(i => i.ExternalId).HasMaxLength(200);
            b.Property(i => i.Channel).HasMaxLength(20);
            b.Property(i => i.Category).HasConversion<string>().HasMaxLength(10);
            b.Property(i => i.Comment).HasMaxLength(FeedbackItem.MaxCommentLength);
            b.Property(i => i.ContentHash).HasMaxLength(64);
            b.HasIndex(i => new { i.Source, i.ExternalId }).IsUnique();
            b.HasIndex(i => new { i.SubmittedAt, i.Id });
            b.HasIndex(i => new { i.CustomerId, i.SubmittedAt });
            b.HasIndex(i => new { i.Category, i.SubmittedAt });
            b.HasIndex(i => i.ImportId);
            b.Property(i => i.Sentiment).HasMaxLength(10);
            b.HasIndex(i => i.LoopInstanceId);
            b.HasIndex(i => new { i.CaseId, i.SubmittedAt });
        });

        modelBuilder.Entity<ItemTopic>(b =>
        {
            b.ToTable("item_topics");
            b.HasKey(t => new { t.ItemId, t.Topic });
            b.Property(t => t.Topic).HasMaxLength(ItemTopic.MaxLength);
            b.HasIndex(t => new { t.Topic, t.ItemId });
            b.HasOne<FeedbackItem>().WithMany().HasForeignKey(t => t.ItemId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Customer>(b =>
        {
            b.ToTable("customers");
            b.HasKey(c => c.Id);
            b.Property(c => c.Id).ValueGeneratedNever();
            b.Property(c => c.ExternalId).HasMaxLength(200);
            b.Property(c => c.Email).HasMaxLength(320);
            b.Property(c => c.Name).HasMaxLength(200);
            b.Property(c => c.Region).HasMaxLength(50);
            b.Property(c => c.Segment).HasMaxLength(50);
            b.Property(c => c.Language).HasMaxLength(35);
            b.Property(c => c.AccountValue).HasPrecision(18, 2);
            b.Property(c => c.Version).IsConcurrencyToken();
            b.HasIndex(c => c.ExternalId).IsUnique();
        });

        modelBuilder.Entity<CustomerVersion>(b =>
        {
            b.ToTable("customer_versions");
            b.HasKey(v => v.Id);
            b.Property(v => v.Id).ValueGeneratedNever();
            b.Property(v => v.Email).HasMaxLength(320);
            b.Property(v => v.Name).HasMaxLength(200);
            b.Property(v => v.Region).HasMaxLength(50);
            b.Property(v => v.Segment).HasMaxLength(50);
            b.Property(v => v.Language).HasMaxLength(35);
            b.Property(v => v.AccountValue).HasPrecision(18, 2);
            b.HasIndex(v => new { v.CustomerId, v.ValidFrom });
        });

        modelBuilder.Entity<IdempotencyKey>(b =>
        {
            b.ToTable("idempotency_keys");
            b.HasKey(k => k.Key);
            b.Property(k => k.Key).HasMaxLength(300);
            b.Property(k => k.RequestHash).HasMaxLength(64);
            b.HasIndex(k => k.CreatedAt);
        });

        modelBuilder.Entity<FeedbackImport>(b =>
        {
            b.ToTable("imports");
            b.HasKey(i => i.Id);
            b.Property(i => i.Id).ValueGeneratedNever();
            b.Property(i => i.Format).HasConversion<string>().HasMaxLength(12);
            b.Property(i => i.Status).HasConversion<string>().HasMaxLength(12);
            b.Property(i => i.DefaultSource).HasMaxLength(100);
            b.Property(i => i.DefaultChannel).HasMaxLength(20);
            b.Property(i => i.CreatedBy).HasMaxLength(200);
            b.Property(i => i.LastError).HasMaxLength(4000);
            b.HasIndex(i => new { i.Status, i.CreatedAt });
        });

        modelBuilder.Entity<ImportChunk>(b =>
        {
            b.ToTable("import_chunks");
            b.HasKey(c => new { c.ImportId, c.Index });
        });

        modelBuilder.Entity<ImportError>(b =>
        {
            b.ToTable("import_errors");
            b.HasKey(e => e.Id);
            b.Property(e => e.Id).ValueGeneratedNever();
            b.Property(e => e.Outcome).HasMaxLength(12);
            b.Property(e => e.Reason).HasMaxLength(2000);
            b.HasIndex(e => new { e.ImportId, e.Line });
        });

        modelBuilder.Entity<CustomerCase>(b =>
        {
            b.ToTable("customer_cases");
            b.HasKey(c => c.CaseId);
            b.Property(c => c.CaseId).ValueGeneratedNever();
            b.Property(c => c.Team).HasMaxLength(64);
            b.Property(c => c.Level).HasConversion<int>();
            b.Property(c => c.Version).IsConcurrencyToken();

            // An agent's reads: "does this customer have a case the agent sees?", one seek per customer (per feedback
            // row of a list page); and the customers of given teams, for a planner that starts from the agent's teams
            // when they hold few customers.
            b.HasIndex(c => new { c.CustomerId, c.Team, c.Level });
            b.HasIndex(c => new { c.Team, c.Level, c.CustomerId });
        });
    }
}
