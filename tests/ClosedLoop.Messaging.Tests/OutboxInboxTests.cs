using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClosedLoop.Messaging.Tests;

/// <summary>
/// The outbox and inbox against a real database: what commits is delivered once to every handler, what
/// rolls back never leaves. Each provider runs the same tests through a derived class.
/// </summary>
public abstract class OutboxInboxTests : IAsyncLifetime
{
    private static readonly string CreateShipment = nameof(CreateShipmentHandler);
    private static readonly string Acknowledge = nameof(AcknowledgeOrderHandler);
    private static readonly string NoteShipment = nameof(NoteShipmentHandler);
    private static readonly Effects Once = new(Orders: 1, Shipments: 1, Acknowledged: 1, Shipped: 1);

    private readonly TestDatabase _database;
    private readonly ITestOutputHelper _output;
    private readonly List<Replica> _replicas = [];
    private Replica _primary = null!;

    private protected OutboxInboxTests(TestDatabase database, ITestOutputHelper output)
    {
        _database = database;
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _primary = StartReplica();
        // The class shares one database; every test starts from empty tables.
        await using var scope = _primary.Services.CreateAsyncScope();
        var orders = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var shipping = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
        await orders.Orders.ExecuteDeleteAsync();
        await orders.Notes.ExecuteDeleteAsync();
        await orders.OutboxMessages.ExecuteDeleteAsync();
        await orders.InboxMessages.ExecuteDeleteAsync();
        await shipping.Shipments.ExecuteDeleteAsync();
        await shipping.OutboxMessages.ExecuteDeleteAsync();
        await shipping.InboxMessages.ExecuteDeleteAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_pooled_context_comes_back_to_the_next_scope_as_new()
    {
        OrdersDbContext first;
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            first.Database.AutoSavepointsEnabled = false;
            first.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
            first.Orders.Add(new Order { Id = Guid.NewGuid(), Customer = "left@example.com" });
            first.OutboxPending = true;
            await using var transaction = await first.Database.BeginTransactionAsync();
            await transaction.RollbackAsync();
        }

        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var next = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();

            Assert.Same(first, next);
            Assert.True(next.Database.AutoSavepointsEnabled);
            Assert.Equal(QueryTrackingBehavior.TrackAll, next.ChangeTracker.QueryTrackingBehavior);
            Assert.Empty(next.ChangeTracker.Entries());
            Assert.Null(next.Database.CurrentTransaction);
            Assert.False(next.OutboxPending, "a rolled-back transaction leaves no signal pending");
        }
    }

    [Fact]
    public async Task A_pooled_context_whose_transaction_was_dropped_unfinished_comes_back_with_no_signal_pending()
    {
        OrdersDbContext first;
        var order = new Order { Id = Guid.NewGuid(), Customer = "dropped@example.com" };
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            await using var transaction = await first.Database.BeginTransactionAsync();
            first.Orders.Add(order);
            first.Publish(new OrderPlacedIntegrationEvent(order.Id, order.Customer));
            await first.SaveChangesAsync();
            Assert.True(first.OutboxPending, "the saved outbox row waits for its commit");

            // Disposed without commit or rollback: the database rolls back, and no interceptor hears of it.
        }

        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var next = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();

            Assert.Same(first, next);
            Assert.False(next.OutboxPending, "a transaction dropped unfinished leaves no signal pending");
        }
    }

    [Fact]
    public async Task An_event_published_in_a_transaction_that_rolls_back_is_never_delivered()
    {
        var order = new Order { Id = Guid.NewGuid(), Customer = "ada@example.com" };
        var placed = new OrderPlacedIntegrationEvent(order.Id, order.Customer);
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Orders.Add(order);
            db.Publish(placed);
            await db.SaveChangesAsync();
            Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Id == placed.Id));
            await transaction.RollbackAsync();
        }

        Assert.Null(await OrdersOutboxAsync(placed.Id));
        Assert.Equal(0, await _primary.Dispatcher.DispatchPendingAsync());
        Assert.Equal(new Effects(0, 0, 0, 0), await EffectsAsync(order.Id));
        Assert.Empty(await AllOutboxAsync());
        Assert.Empty(await InboxAsync(placed.Id));
        AssertRuns(_primary, createShipment: 0, acknowledge: 0, noteShipment: 0);
    }

    [Fact]
    public async Task An_event_whose_save_fails_is_never_delivered()
    {
        var existing = await PlaceOrderAsync(_primary);
        await DispatchUntilIdleAsync(_primary);

        var duplicate = new OrderPlacedIntegrationEvent(existing.OrderId, "someone-else@example.com");
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            db.Orders.Add(new Order { Id = existing.OrderId, Customer = duplicate.Customer });
            db.Publish(duplicate);
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        Assert.Null(await OrdersOutboxAsync(duplicate.Id));
        Assert.Equal(0, await _primary.Dispatcher.DispatchPendingAsync());
        Assert.Equal(Once, await EffectsAsync(existing.OrderId));
        AssertRuns(_primary, createShipment: 1, acknowledge: 1, noteShipment: 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_committed_event_reaches_each_handler_exactly_once_however_often_dispatch_runs(bool explicitTransaction)
    {
        var placed = await PlaceOrderAsync(_primary, explicitTransaction);
        Assert.NotNull(await OrdersOutboxAsync(placed.Id));

        Assert.True(await _primary.Dispatcher.DispatchPendingAsync() >= 1, "The first dispatch settled nothing.");
        await _primary.Dispatcher.DispatchPendingAsync();
        await _primary.Dispatcher.DispatchPendingAsync();

        Assert.Equal(Once, await EffectsAsync(placed.OrderId));
        AssertRuns(_primary, createShipment: 1, acknowledge: 1, noteShipment: 1);
        var row = await OrdersOutboxAsync(placed.Id);
        Assert.NotNull(row);
        Assert.NotNull(row.ProcessedAt);
        Assert.Equal(OutboxMessage.Settled, row.LockedUntil);
        Assert.Equal(0, row.Attempts);
        Assert.Null(row.LastError);
        Assert.Equal(
            [$"orders:{typeof(AcknowledgeOrderHandler).FullName}", $"shipping:{typeof(CreateShipmentHandler).FullName}"],
            await InboxAsync(placed.Id));
        // The shipment handler's follow-up went out through Shipping's outbox, in the handler's transaction.
        var all = await AllOutboxAsync();
        Assert.Equal(2, all.Count);
        Assert.Contains(all, m => m.Schema == "shipping" && m.Message.Type == typeof(ShipmentCreatedIntegrationEvent).FullName);
        Assert.All(all, m => Assert.NotNull(m.Message.ProcessedAt));
    }

    [Fact]
    public async Task Two_replicas_dispatching_concurrently_deliver_each_event_once_per_handler()
    {
        var second = StartReplica();
        var placed = new List<OrderPlacedIntegrationEvent>();
        for (var i = 0; i < 10; i++)
        {
            placed.Add(await PlaceOrderAsync(i % 2 == 0 ? _primary : second, explicitTransaction: i % 3 == 0));
        }

        await DispatchUntilIdleAsync(_primary, second);

        foreach (var e in placed)
        {
            Assert.Equal(Once, await EffectsAsync(e.OrderId));
        }

        // Leases keep the replicas apart: no handler was even invoked twice.
        Assert.Equal(10, _primary.Probe.Runs(CreateShipment) + second.Probe.Runs(CreateShipment));
        Assert.Equal(10, _primary.Probe.Runs(Acknowledge) + second.Probe.Runs(Acknowledge));
        Assert.Equal(10, _primary.Probe.Runs(NoteShipment) + second.Probe.Runs(NoteShipment));
        var all = await AllOutboxAsync();
        Assert.Equal(20, all.Count);
        Assert.All(all, m => Assert.NotNull(m.Message.ProcessedAt));
    }

    [Fact]
    public async Task Replicas_whose_leases_run_out_mid_delivery_still_apply_each_effect_once()
    {
        // A lease shorter than a delivery lets both replicas work the same rows at once; only the inbox stands between them.
        var settings = new Dictionary<string, string?> { ["Messaging:Lease"] = "00:00:00.001" };
        var first = StartReplica(settings);
        var second = StartReplica(settings);
        first.Probe.Delay = second.Probe.Delay = TimeSpan.FromMilliseconds(30);
        var placed = new List<OrderPlacedIntegrationEvent>();
        for (var i = 0; i < 5; i++)
        {
            placed.Add(await PlaceOrderAsync(first));
        }

        await DispatchUntilIdleAsync(first, second);

        foreach (var e in placed)
        {
            Assert.Equal(Once, await EffectsAsync(e.OrderId));
            Assert.Equal(2, (await InboxAsync(e.Id)).Count);
        }

        Assert.All(await AllOutboxAsync(), m => Assert.NotNull(m.Message.ProcessedAt));
    }

    [Fact]
    public async Task A_redelivered_event_has_no_second_effect()
    {
        var placed = await PlaceOrderAsync(_primary);
        await DispatchUntilIdleAsync(_primary);
        Assert.Equal(Once, await EffectsAsync(placed.OrderId));

        // As if the process died after the handlers committed but before the row was marked processed.
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            var reset = await db.OutboxMessages.Where(m => m.Id == placed.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.ProcessedAt, (DateTimeOffset?)null)
                .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.LockToken, (Guid?)null));
            Assert.Equal(1, reset);
        }

        var restarted = StartReplica();
        Assert.Equal(1, await restarted.Dispatcher.DispatchPendingAsync());

        Assert.Equal(Once, await EffectsAsync(placed.OrderId));
        AssertRuns(restarted, createShipment: 0, acknowledge: 0, noteShipment: 0);
        Assert.NotNull((await OrdersOutboxAsync(placed.Id))?.ProcessedAt);
        Assert.Equal(2, (await InboxAsync(placed.Id)).Count);
    }

    [Fact]
    public async Task A_failing_handler_is_retried_alone_when_due_and_the_others_are_not_run_again()
    {
        _primary.Probe.ShipmentsFail = true;
        var placed = await PlaceOrderAsync(_primary);

        await _primary.Dispatcher.DispatchPendingAsync();

        var failed = await OrdersOutboxAsync(placed.Id);
        Assert.NotNull(failed);
        Assert.Null(failed.ProcessedAt);
        Assert.Null(failed.FailedAt);
        Assert.Null(failed.LockedUntil);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("Simulated carrier outage.", failed.LastError, StringComparison.Ordinal);
        Assert.True(failed.NextAttemptAt > _primary.Clock.GetUtcNow(), $"NextAttemptAt {failed.NextAttemptAt:O} is not in the future.");
        // The failed handler's saved shipment and follow-up event rolled back with its transaction; the other handler's note stayed.
        Assert.Equal(new Effects(Orders: 1, Shipments: 0, Acknowledged: 1, Shipped: 0), await EffectsAsync(placed.OrderId));
        Assert.DoesNotContain(await AllOutboxAsync(), m => m.Schema == "shipping");
        Assert.Equal([$"orders:{typeof(AcknowledgeOrderHandler).FullName}"], await InboxAsync(placed.Id));

        // Not due yet: nothing is picked up.
        Assert.Equal(0, await _primary.Dispatcher.DispatchPendingAsync());
        AssertRuns(_primary, createShipment: 1, acknowledge: 1, noteShipment: 0);

        _primary.Probe.ShipmentsFail = false;
        _primary.Clock.Advance(failed.NextAttemptAt - _primary.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        await DispatchUntilIdleAsync(_primary);

        Assert.Equal(Once, await EffectsAsync(placed.OrderId));
        AssertRuns(_primary, createShipment: 2, acknowledge: 1, noteShipment: 1);
        var delivered = await OrdersOutboxAsync(placed.Id);
        Assert.NotNull(delivered?.ProcessedAt);
        Assert.Null(delivered.LastError);
        Assert.Equal(1, delivered.Attempts);
    }

    [Fact]
    public async Task In_a_batch_a_failing_message_fails_alone_and_every_other_message_takes_effect_once()
    {
        var placed = new List<OrderPlacedIntegrationEvent>();
        for (var i = 0; i < 12; i++)
        {
            placed.Add(await PlaceOrderAsync(_primary));
        }

        // A poisoned message in the middle and one at the end of the same batch.
        _primary.Probe.FailingOrders[placed[5].OrderId] = true;
        _primary.Probe.FailingOrders[placed[11].OrderId] = true;

        Assert.True(await _primary.Dispatcher.DispatchPendingAsync() >= 12, "The batch was not claimed at once.");
        await DispatchUntilIdleAsync(_primary);

        foreach (var (order, index) in placed.Select((p, i) => (p, i)))
        {
            var poisoned = index is 5 or 11;
            var row = await OrdersOutboxAsync(order.Id);
            Assert.NotNull(row);
            Assert.Equal(poisoned, row.ProcessedAt is null);
            Assert.Equal(poisoned ? 1 : 0, row.Attempts);
            Assert.Equal(
                poisoned ? new Effects(Orders: 1, Shipments: 0, Acknowledged: 1, Shipped: 0) : Once,
                await EffectsAsync(order.OrderId));
        }

        // Each poisoned message ran once; the good ones rolled back with it ran again, never twice to effect.
        Assert.True(_primary.Probe.Runs(nameof(CreateShipmentHandler)) >= 12, "Some message was never handed over.");
        Assert.Equal(12, _primary.Probe.Runs(nameof(AcknowledgeOrderHandler)));
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_parked_after_MaxAttempts_and_no_longer_picked_up()
    {
        _primary.Probe.ShipmentsFail = true;
        var placed = await PlaceOrderAsync(_primary);

        for (var attempt = 1; attempt <= Replica.MaxAttempts; attempt++)
        {
            Assert.Equal(1, await _primary.Dispatcher.DispatchPendingAsync());
            var row = await OrdersOutboxAsync(placed.Id);
            Assert.Equal(attempt, row?.Attempts);
            Assert.Equal(attempt == Replica.MaxAttempts, row?.FailedAt is not null);
            _primary.Clock.Advance(TimeSpan.FromHours(2));
        }

        Assert.Equal(0, await _primary.Dispatcher.DispatchPendingAsync());
        var parked = await OrdersOutboxAsync(placed.Id);
        Assert.NotNull(parked);
        Assert.NotNull(parked.FailedAt);
        Assert.Equal(OutboxMessage.Settled, parked.LockedUntil);
        Assert.Null(parked.ProcessedAt);
        Assert.Equal(Replica.MaxAttempts, parked.Attempts);
        Assert.Contains("Simulated carrier outage.", parked.LastError, StringComparison.Ordinal);
        AssertRuns(_primary, createShipment: Replica.MaxAttempts, acknowledge: 1, noteShipment: 0);
        Assert.Equal(new Effects(Orders: 1, Shipments: 0, Acknowledged: 1, Shipped: 0), await EffectsAsync(placed.OrderId));
    }

    [Fact]
    public async Task Replicas_retrying_concurrently_count_one_attempt_per_failed_delivery()
    {
        var clock = new ShiftedTimeProvider();
        var first = StartReplica(clock: clock);
        var second = StartReplica(clock: clock);
        first.Probe.ShipmentsFail = second.Probe.ShipmentsFail = true;
        var placed = await PlaceOrderAsync(first);

        for (var round = 1; round <= Replica.MaxAttempts + 1; round++)
        {
            await Task.WhenAll(
                Task.Run(() => first.Dispatcher.DispatchPendingAsync()),
                Task.Run(() => second.Dispatcher.DispatchPendingAsync()));
            Assert.Equal(Math.Min(round, Replica.MaxAttempts), (await OrdersOutboxAsync(placed.Id))?.Attempts);
            clock.Advance(TimeSpan.FromHours(2));
        }

        Assert.NotNull((await OrdersOutboxAsync(placed.Id))?.FailedAt);
        Assert.Equal(Replica.MaxAttempts, first.Probe.Runs(CreateShipment) + second.Probe.Runs(CreateShipment));
        Assert.Equal(1, first.Probe.Runs(Acknowledge) + second.Probe.Runs(Acknowledge));
    }

    [Fact]
    public async Task With_the_sweeper_running_a_commit_is_delivered_without_waiting_for_the_sweep()
    {
        var hosted = _primary.Services.GetServices<IHostedService>().ToList();
        Assert.Contains(hosted, h => h.GetType() == typeof(OutboxSweeper));
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            // The sweep interval is an hour: only the commit signals can bring these through, the follow-up included.
            var implicitCommit = await PlaceOrderAsync(_primary, explicitTransaction: false);
            await EventuallyAsync(async () => await EffectsAsync(implicitCommit.OrderId) == Once, "the implicit-transaction commit");
            var explicitCommit = await PlaceOrderAsync(_primary, explicitTransaction: true);
            await EventuallyAsync(async () => await EffectsAsync(explicitCommit.OrderId) == Once, "the explicit-transaction commit");
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(hosted))
            {
                await service.StopAsync(CancellationToken.None);
            }
        }

        AssertRuns(_primary, createShipment: 2, acknowledge: 2, noteShipment: 2);
    }

    [Fact]
    public async Task Each_module_keeps_its_tables_in_its_own_schema_or_behind_its_own_prefix()
    {
        var expected = new[]
        {
            _database.Locate("orders", "orders"),
            _database.Locate("orders", "order_notes"),
            _database.Locate("orders", "outbox_messages"),
            _database.Locate("orders", "inbox_messages"),
            _database.Locate("shipping", "shipments"),
            _database.Locate("shipping", "outbox_messages"),
            _database.Locate("shipping", "inbox_messages"),
        };

        var actual = await _database.TablesAsync();

        Assert.Equal(expected.Order(), actual.Order());
    }

    [Fact]
    public async Task An_event_stamped_with_an_offset_or_in_the_future_is_stored_in_utc_and_delivered_now()
    {
        var now = DateTimeOffset.UtcNow;
        var east = await PlaceOrderAsync(_primary, occurredAt: now.ToOffset(TimeSpan.FromHours(5)));
        var ahead = await PlaceOrderAsync(_primary, occurredAt: now.AddDays(1));

        await DispatchUntilIdleAsync(_primary);

        Assert.Equal(Once, await EffectsAsync(east.OrderId));
        Assert.Equal(Once, await EffectsAsync(ahead.OrderId));
        var row = await OrdersOutboxAsync(east.Id);
        Assert.NotNull(row);
        Assert.Equal(TimeSpan.Zero, row.OccurredAt.Offset);
        Assert.Equal(now.UtcDateTime, row.OccurredAt.UtcDateTime, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Purge_removes_what_was_processed_before_the_retention_period_and_keeps_the_rest()
    {
        var old = await PlaceOrderAsync(_primary);
        await DispatchUntilIdleAsync(_primary);
        var pending = await PlaceOrderAsync(_primary);

        await _primary.Dispatcher.PurgeAsync();
        Assert.Equal(3, (await AllOutboxAsync()).Count);
        Assert.Equal(2, (await InboxAsync(old.Id)).Count);

        _primary.Clock.Advance(new MessagingOptions().Retention + TimeSpan.FromHours(1));
        await _primary.Dispatcher.PurgeAsync();

        var remaining = await AllOutboxAsync();
        Assert.Equal([pending.Id], remaining.Select(m => m.Message.Id));
        Assert.Empty(await InboxAsync(old.Id));
    }

    [Fact]
    public async Task An_undeclared_event_cannot_be_published()
    {
        await using var scope = _primary.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();

        var error = Assert.Throws<InvalidOperationException>(() => db.Publish(new OrderForgottenIntegrationEvent(Guid.NewGuid())));

        Assert.Contains("AddIntegrationEvent<OrderForgottenIntegrationEvent>", error.Message);
        Assert.Empty(db.ChangeTracker.Entries());
    }

    [Fact]
    public async Task Events_written_in_bulk_are_delivered_once_after_commit_and_never_after_rollback()
    {
        var kept = Enumerable.Range(0, 40).Select(i => new OrderPlacedIntegrationEvent(Guid.NewGuid(), $"kept-{i}@example.com")).ToList();
        var dropped = Enumerable.Range(0, 40).Select(i => new OrderPlacedIntegrationEvent(Guid.NewGuid(), $"dropped-{i}@example.com")).ToList();
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await db.PublishAllAsync(dropped, CancellationToken.None);
                await transaction.RollbackAsync();
            }

            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await db.PublishAllAsync(kept, CancellationToken.None);
                await transaction.CommitAsync();
            }
        }

        await DispatchUntilIdleAsync(_primary);
        await DispatchUntilIdleAsync(_primary);

        foreach (var placed in kept)
        {
            var stored = await OrdersOutboxAsync(placed.Id);
            Assert.NotNull(stored?.ProcessedAt);
            Assert.Equal(placed.Customer, System.Text.Json.JsonDocument.Parse(stored!.Payload).RootElement.GetProperty("customer").GetString());
            Assert.Equal(1, (await EffectsAsync(placed.OrderId)).Shipments);
        }

        foreach (var placed in dropped)
        {
            Assert.Null(await OrdersOutboxAsync(placed.Id));
            Assert.Equal(0, (await EffectsAsync(placed.OrderId)).Shipments);
        }
    }

    [Fact]
    public async Task Bulk_writes_need_the_callers_transaction()
    {
        await using var scope = _primary.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.PublishAllAsync([new OrderArchivedIntegrationEvent(Guid.NewGuid())], CancellationToken.None));
    }

    [Fact]
    public async Task A_declared_event_nobody_handles_is_kept_but_written_settled_and_never_claimed()
    {
        var archived = new OrderArchivedIntegrationEvent(Guid.NewGuid());
        var bulk = new OrderArchivedIntegrationEvent(Guid.NewGuid());
        var placed = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "ada@example.com");
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Publish(archived);
            await db.SaveChangesAsync();
            await db.PublishAllAsync([bulk, placed], CancellationToken.None);
            await transaction.CommitAsync();
        }

        // Before any dispatch: the record is there, already settled; the handled event is pending.
        Assert.NotNull((await OrdersOutboxAsync(archived.Id))?.ProcessedAt);
        Assert.NotNull((await OrdersOutboxAsync(bulk.Id))?.ProcessedAt);
        Assert.Null((await OrdersOutboxAsync(placed.Id))?.ProcessedAt);

        Assert.True(await _primary.Dispatcher.DispatchPendingAsync() > 0);
        var settled = (await OrdersOutboxAsync(archived.Id))!;
        Assert.Equal(0, settled.Attempts);
        Assert.Equal(OutboxMessage.Settled, settled.LockedUntil);
        Assert.Empty(await InboxAsync(archived.Id));
        Assert.Empty(await InboxAsync(bulk.Id));
        Assert.NotEmpty(await InboxAsync(placed.Id));
    }

    [Fact]
    public async Task A_pending_message_of_a_declared_type_nobody_handles_is_settled_at_its_claim()
    {
        // What an earlier version wrote (it wrote every event pending).
        var id = Guid.NewGuid();
        var now = _primary.Clock.GetUtcNow();
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            db.OutboxMessages.Add(new OutboxMessage
            {
                Id = id,
                Type = typeof(OrderArchivedIntegrationEvent).FullName!,
                Payload = "{\"orderId\":\"" + Guid.NewGuid() + "\"}",
                OccurredAt = now,
                NextAttemptAt = now,
            });
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await _primary.Dispatcher.DispatchPendingAsync());

        Assert.NotNull((await OrdersOutboxAsync(id))?.ProcessedAt);
        Assert.Empty(await InboxAsync(id));
    }

    [Fact]
    public async Task A_message_of_a_type_this_version_does_not_know_is_left_for_a_replica_that_knows_it()
    {
        // What a newer replica wrote during a rolling deploy.
        var id = Guid.NewGuid();
        var now = _primary.Clock.GetUtcNow();
        await using (var scope = _primary.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            db.OutboxMessages.Add(new OutboxMessage
            {
                Id = id,
                Type = "ClosedLoop.Orders.Contracts.OrderTeleportedIntegrationEvent",
                Payload = "{\"orderId\":\"" + Guid.NewGuid() + "\"}",
                OccurredAt = now,
                NextAttemptAt = now,
            });
            await db.SaveChangesAsync();
        }

        await _primary.Dispatcher.DispatchPendingAsync();
        await _primary.Dispatcher.DispatchPendingAsync();

        var row = await OrdersOutboxAsync(id);
        Assert.NotNull(row);
        Assert.Null(row.ProcessedAt);
        Assert.Null(row.FailedAt);
        Assert.Null(row.LockedUntil);
        Assert.Equal(0, row.Attempts);
        Assert.True(row.NextAttemptAt > now, "An unknown type must wait for a replica that knows it.");
    }

    private Replica StartReplica(IReadOnlyDictionary<string, string?>? settings = null, ShiftedTimeProvider? clock = null)
    {
        var replica = Replica.Start(_database, _output, settings, clock);
        _replicas.Add(replica);
        return replica;
    }

    private static async Task<OrderPlacedIntegrationEvent> PlaceOrderAsync(Replica replica, bool explicitTransaction = false, DateTimeOffset? occurredAt = null)
    {
        var order = new Order { Id = Guid.NewGuid(), Customer = $"{Guid.NewGuid():N}@example.com" };
        var placed = new OrderPlacedIntegrationEvent(order.Id, order.Customer);
        if (occurredAt is { } at)
        {
            placed = placed with { OccurredAt = at };
        }

        await using var scope = replica.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        if (explicitTransaction)
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Orders.Add(order);
            await db.SaveChangesAsync();
            db.Publish(placed);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        else
        {
            db.Orders.Add(order);
            db.Publish(placed);
            await db.SaveChangesAsync();
        }

        return placed;
    }

    private static async Task DispatchUntilIdleAsync(params Replica[] replicas)
    {
        for (var round = 0; round < 20; round++)
        {
            var settled = await Task.WhenAll(replicas.Select(r => Task.Run(() => r.Dispatcher.DispatchPendingAsync())));
            if (settled.All(s => s == 0))
            {
                return;
            }
        }

        Assert.Fail("The outboxes did not drain in 20 dispatch rounds.");
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what} to be handled.");
            await Task.Delay(50);
        }
    }

    private static void AssertRuns(Replica replica, int createShipment, int acknowledge, int noteShipment) =>
        Assert.Equal(
            (createShipment, acknowledge, noteShipment),
            (replica.Probe.Runs(CreateShipment), replica.Probe.Runs(Acknowledge), replica.Probe.Runs(NoteShipment)));

    private async Task<Effects> EffectsAsync(Guid orderId)
    {
        await using var scope = _primary.Services.CreateAsyncScope();
        var orders = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var shipping = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
        return new Effects(
            await orders.Orders.CountAsync(o => o.Id == orderId),
            await shipping.Shipments.CountAsync(s => s.OrderId == orderId),
            await orders.Notes.CountAsync(n => n.OrderId == orderId && n.Text == OrderNote.Acknowledged),
            await orders.Notes.CountAsync(n => n.OrderId == orderId && n.Text == OrderNote.Shipped));
    }

    private async Task<OutboxMessage?> OrdersOutboxAsync(Guid id)
    {
        await using var scope = _primary.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().OutboxMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id);
    }

    private async Task<List<(string Schema, OutboxMessage Message)>> AllOutboxAsync()
    {
        await using var scope = _primary.Services.CreateAsyncScope();
        var orders = await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().OutboxMessages.AsNoTracking().ToListAsync();
        var shipping = await scope.ServiceProvider.GetRequiredService<ShippingDbContext>().OutboxMessages.AsNoTracking().ToListAsync();
        return [.. orders.Select(m => ("orders", m)), .. shipping.Select(m => ("shipping", m))];
    }

    /// <summary>The handlers that recorded <paramref name="messageId"/> as handled, as <c>schema:handler</c>.</summary>
    private async Task<List<string>> InboxAsync(Guid messageId)
    {
        await using var scope = _primary.Services.CreateAsyncScope();
        var orders = await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().InboxMessages
            .Where(i => i.MessageId == messageId).Select(i => i.Handler).ToListAsync();
        var shipping = await scope.ServiceProvider.GetRequiredService<ShippingDbContext>().InboxMessages
            .Where(i => i.MessageId == messageId).Select(i => i.Handler).ToListAsync();
        return [.. orders.Select(h => $"orders:{h}").Concat(shipping.Select(h => $"shipping:{h}")).Order(StringComparer.Ordinal)];
    }

    private sealed record Effects(int Orders, int Shipments, int Acknowledged, int Shipped);
}

public sealed class SqliteOutboxInboxTests(SqliteDatabase database, ITestOutputHelper output)
    : OutboxInboxTests(database, output), IClassFixture<SqliteDatabase>;

public sealed class PostgresOutboxInboxTests(PostgresDatabase database, ITestOutputHelper output)
    : OutboxInboxTests(database, output), IClassFixture<PostgresDatabase>;
