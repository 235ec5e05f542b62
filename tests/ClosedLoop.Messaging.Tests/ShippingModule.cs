using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Messaging.Tests;

/// <summary>A consumer module for the tests: shipments created from orders.</summary>
internal sealed class ShippingDbContext(DbContextOptions<ShippingDbContext> options)
    : ModuleDbContext<ShippingDbContext>(options), IModuleDbContext
{
    public static string Schema => "shipping";

    public DbSet<Shipment> Shipments => Set<Shipment>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Shipment>(b =>
        {
            b.ToTable("shipments");
            b.HasKey(s => s.Id);
            b.Property(s => s.Id).ValueGeneratedNever();
            b.Property(s => s.Customer).HasMaxLength(200).IsRequired();
            b.HasIndex(s => s.OrderId);
        });
    }
}

internal sealed class Shipment
{
    public Guid Id { get; set; }

    public Guid OrderId { get; set; }

    public required string Customer { get; set; }
}

internal sealed record ShipmentCreatedIntegrationEvent(Guid ShipmentId, Guid OrderId) : IntegrationEvent;

/// <summary>
/// Creates a shipment and publishes a follow-up event through its own outbox. When the probe says so it
/// fails after saving, which must take the shipment and the follow-up down with the handler's transaction.
/// </summary>
internal sealed class CreateShipmentHandler(ShippingDbContext db, HandlerProbe probe) : IIntegrationEventHandler<OrderPlacedIntegrationEvent>
{
    public async Task HandleAsync(OrderPlacedIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        probe.Ran(nameof(CreateShipmentHandler));
        var shipment = new Shipment { Id = Guid.NewGuid(), OrderId = integrationEvent.OrderId, Customer = integrationEvent.Customer };
        db.Shipments.Add(shipment);
        db.Publish(new ShipmentCreatedIntegrationEvent(shipment.Id, integrationEvent.OrderId));
        if (probe.Delay > TimeSpan.Zero)
        {
            await Task.Delay(probe.Delay, cancellationToken);
        }

        if (probe.ShipmentsFail || probe.FailingOrders.ContainsKey(integrationEvent.OrderId))
        {
            await db.SaveChangesAsync(cancellationToken);
            throw new InvalidOperationException("Simulated carrier outage.");
        }
    }
}
