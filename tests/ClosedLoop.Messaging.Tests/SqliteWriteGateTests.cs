using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Messaging.Tests;

/// <summary>
/// SQLite has one writer: write transactions of the process queue for it in order instead of failing or
/// sleeping on SQLITE_BUSY, and a transaction that ends any way at all lets the next one in.
/// </summary>
public sealed class SqliteWriteGateTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>
{
    [Fact]
    public async Task Writers_queue_in_order_and_every_way_a_transaction_ends_lets_the_next_in()
    {
        await using var replica = Replica.Start(database, output: null);
        await using var first = replica.Services.CreateAsyncScope();
        var holder = first.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var order = new Order { Id = Guid.NewGuid(), Customer = "first" };
        var transaction = await holder.Database.BeginTransactionAsync();
        holder.Orders.Add(order);
        await holder.SaveChangesAsync();

        var second = WriteAsync(replica, "second");
        var third = WriteAsync(replica, "third");
        await Task.Delay(300);
        Assert.False(second.IsCompleted, "A second writer started while the first transaction was open.");

        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        Assert.True(await second < await third, "Writers were not let in in the order they asked.");

        // Disposed without commit or rollback, and rolled back: each releases the database.
        await using (var scope = replica.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            await using (await db.Database.BeginTransactionAsync())
            {
                db.Orders.Add(new Order { Id = Guid.NewGuid(), Customer = "abandoned" });
                await db.SaveChangesAsync();
            }

            db.ChangeTracker.Clear();
            await using (var rolledBack = await db.Database.BeginTransactionAsync())
            {
                await rolledBack.RollbackAsync();
            }
        }

        await WriteAsync(replica, "after").WaitAsync(TimeSpan.FromSeconds(10));
        await using var check = replica.Services.CreateAsyncScope();
        var customers = await check.ServiceProvider.GetRequiredService<OrdersDbContext>().Orders.Select(o => o.Customer).ToListAsync();
        Assert.Equal(["after", "first", "second", "third"], customers.Where(c => c is "first" or "second" or "third" or "after" or "abandoned").Order(StringComparer.Ordinal));
    }

    /// <summary>Writes one order in its own transaction; returns when (in ticks) its transaction began.</summary>
    private static async Task<long> WriteAsync(Replica replica, string customer)
    {
        await using var scope = replica.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        db.Orders.Add(new Order { Id = Guid.NewGuid(), Customer = customer });
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return began;
    }
}
