using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Messaging;

internal static class MessagingModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(b =>
        {
            b.ToTable("outbox_messages");
            b.HasKey(m => m.Id);
            b.Property(m => m.Id).ValueGeneratedNever();
            b.Property(m => m.Type).HasMaxLength(300).IsRequired();
            b.Property(m => m.Payload).IsRequired();
            b.Property(m => m.LastError).HasMaxLength(4000);
            b.HasIndex(m => new { m.ProcessedAt, m.NextAttemptAt });
            b.HasIndex(m => m.LockToken);
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
