using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Messaging.Tests;

/// <summary>A producer module for the tests: orders, and notes its own handlers write.</summary>
internal sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options)
    : ModuleDbContext<OrdersDbContext>(options), IModuleDbContext
{
    public static string Schema => "orders";

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<OrderNote> Notes => Set<OrderNote>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(b =>
        {
            b.ToTable("orders");
            b.HasKey(o => o.Id);
            b.Property(o => o.Id).ValueGeneratedNever();
            b.Property(o => o.Customer).HasMaxLength(200).IsRequired();
        });
        modelBuilder.Entity<OrderNote>(b =>
        {
            b.ToTable("order_notes");
            b.HasKey(n => n.Id);
            b.Property(n => n.Id).ValueGeneratedNever();
            b.Property(n => n.Text).HasMaxLength(100).IsRequired();
            b.HasIndex(n => n.OrderId);
        });
    }
}

internal sealed class Order
{
    public Guid Id { get; set; }

    public required string Customer { get; set; }
}

/// <summary>Written by handlers; a random key, so a second delivery would show up as a second row.</summary>
internal sealed class OrderNote
{
    public const string Acknowledged = "acknowledged";
    public const string Shipped = "shipped";

    public Guid Id { get; set; }

    public Guid OrderId { get; set; }

    public required string Text { get; set; }
}

internal sealed record OrderPlacedIntegrationEvent(Guid OrderId, string Customer) : IntegrationEvent;

/// <summary>Declared, but no module listens.</summary>
internal sealed record OrderArchivedIntegrationEvent(Guid OrderId) : IntegrationEvent;

/// <summary>Never declared with AddIntegrationEvent.</summary>
internal sealed record OrderForgottenIntegrationEvent(Guid OrderId) : IntegrationEvent;

/// <summary>The producer reacting to its own event, so an inbox lives in each schema.</summary>
internal sealed class AcknowledgeOrderHandler(OrdersDbContext db, HandlerProbe probe) : IIntegrationEventHandler<OrderPlacedIntegrationEvent>
{
    public Task HandleAsync(OrderPlacedIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        probe.Ran(nameof(AcknowledgeOrderHandler));
        db.Notes.Add(new OrderNote { Id = Guid.NewGuid(), OrderId = integrationEvent.OrderId, Text = OrderNote.Acknowledged });
        return Task.CompletedTask;
    }
}

/// <summary>The second hop of a chain: Shipping's follow-up event comes back to Orders.</summary>
internal sealed class NoteShipmentHandler(OrdersDbContext db, HandlerProbe probe) : IIntegrationEventHandler<ShipmentCreatedIntegrationEvent>
{
    public Task HandleAsync(ShipmentCreatedIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        probe.Ran(nameof(NoteShipmentHandler));
        db.Notes.Add(new OrderNote { Id = Guid.NewGuid(), OrderId = integrationEvent.OrderId, Text = OrderNote.Shipped });
        return Task.CompletedTask;
    }
}
