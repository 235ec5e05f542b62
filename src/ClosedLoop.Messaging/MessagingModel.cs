using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Messaging;

internal static class MessagingModel
{
    public static void Configure(ModelBuilder modelBuilder, string? providerName)
    {
        var (open, close) = providerName == "Microsoft.EntityFrameworkCore.SqlServer" ? ("[", "]") : ("\"", "\"");
        modelBuilder.Entity<OutboxMessage>(b =>
        {
            b.ToTable("outbox_messages");
            b.HasKey(m => m.Id);
            b.Property(m => m.Id).ValueGeneratedNever();
            b.Property(m => m.Type).HasMaxLength(300).IsRequired();
            b.Property(m => m.Payload).IsRequired();
            b.Property(m => m.LastError).HasMaxLength(4000);
            // Few indexes on purpose: every message is inserted, leased and settled, and each index costs
            // an entry per write. What the dispatcher claims, in the order it claims it (without this
            // PostgreSQL scans and sorts the whole outbox on every claim: 168 ms with 100,000 pending,
            // 0.2 ms with it); and the purge's cut-off. Leased rows are found by id. The cut-off's index holds only
            // settled rows: a full one offered SQLite "ProcessedAt IS NULL" as an equality lookup, which it preferred
            // for the claim, reading and sorting every pending row each time (~300 ms a claim with 80,000 pending).
            b.HasIndex(m => m.NextAttemptAt)
                .HasFilter($"{open}ProcessedAt{close} IS NULL AND {open}FailedAt{close} IS NULL");
            b.HasIndex(m => m.ProcessedAt)
                .HasFilter($"{open}ProcessedAt{close} IS NOT NULL");
        });

        modelBuilder.Entity<InboxMessage>(b =>
        {
            b.ToTable("inbox_messages");
            b.HasKey(m => new { m.MessageId, m.Handler });
            b.Property(m => m.Handler).HasMaxLength(300);
            b.HasIndex(m => m.ProcessedAt);
        });
    }
}
