using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Messaging.Tests;

/// <summary>
/// A write outside a transaction (ExecuteUpdate, ExecuteDelete) queues at the same gate as write transactions: it
/// waits for an open one and goes through, and however it ends, the next writer gets in.
/// </summary>
public sealed class SqliteLoneWriteTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_lone_write_waits_for_an_open_transaction_then_takes_effect()
    {
        await using var replica = Replica.Start(database, output: null);
        var id = Guid.NewGuid();
        await using (var scope = replica.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            db.Orders.Add(new Order { Id = id, Customer = "before" });
            await db.SaveChangesAsync();
        }

        await using var first = replica.Services.CreateAsyncScope();
        var holder = first.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var transaction = await holder.Database.BeginTransactionAsync();
        holder.Orders.Add(new Order { Id = Guid.NewGuid(), Customer = "holder" });
        await holder.SaveChangesAsync();

        var lone = RenameAsync(replica, id, "after");
        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        Assert.Equal(1, await lone.WaitAsync(Patience));

        // The lone write let go of the gate: a transaction gets in.
        await WriteInTransactionAsync(replica, "next").WaitAsync(Patience);
        await using var check = replica.Services.CreateAsyncScope();
        Assert.Equal("after", await check.ServiceProvider.GetRequiredService<OrdersDbContext>().Orders.Where(o => o.Id == id).Select(o => o.Customer).SingleAsync());
    }

    [Fact]
    public async Task A_lone_write_that_fails_lets_the_next_writer_in()
    {
        await using var replica = Replica.Start(database, output: null);
        await using (var scope = replica.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE no_such_table SET x = 1"));
            Assert.Equal(0, await db.Orders.Where(o => o.Customer == "nobody").ExecuteDeleteAsync());
        }

        await WriteInTransactionAsync(replica, "after-failure").WaitAsync(Patience);
    }

    private static async Task<int> RenameAsync(Replica replica, Guid id, string customer)
    {
        await using var scope = replica.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        return await db.Orders.Where(o => o.Id == id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Customer, customer));
    }

    private static async Task WriteInTransactionAsync(Replica replica, string customer)
    {
        await using var scope = replica.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Orders.Add(new Order { Id = Guid.NewGuid(), Customer = customer });
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }
}
