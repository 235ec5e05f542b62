using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClosedLoop.Persistence;

/// <summary>
/// SQLite has one writer at a time, and EF begins every transaction with <c>BEGIN IMMEDIATE</c>, so a
/// second writer gets <c>SQLITE_BUSY</c>; Microsoft.Data.Sqlite then retries it after
/// <c>Thread.Sleep(150)</c> on a pool thread, which shows as 150 ms steps of latency and starved threads
/// under load. Instead, transactions of this process queue for the database file asynchronously and in
/// order (one gate per file), and SQLite's own busy handler (<c>PRAGMA busy_timeout</c>, set by
/// <see cref="SqliteConnectionSettings"/>) covers the rare writer outside a transaction or in another process.
/// </summary>
/// <remarks>
/// Whether the gate is held is tracked per connection, so one instance may serve many contexts. The gate
/// is released when the transaction commits, rolls back or fails, and at the latest when the connection
/// closes (a transaction disposed without either).
/// </remarks>
internal sealed class SqliteWriteGate(string dataSource, TimeSpan timeout) : DbConnectionInterceptor, IDbTransactionInterceptor
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _gate = Gates.GetOrAdd(dataSource, _ => new SemaphoreSlim(1, 1));
    private static readonly ConditionalWeakTable<DbConnection, Holder> Holders = new();

    public static SqliteWriteGate For(string connectionString, TimeSpan timeout)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var key = dataSource is "" or ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal)
            ? connectionString
            : Path.GetFullPath(dataSource);
        return new SqliteWriteGate(key, timeout);
    }

    public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult ConnectionDisposing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionDisposingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        var holder = Holders.GetOrCreateValue(connection);
        if (Interlocked.CompareExchange(ref holder.Held, 1, 0) == 0 && !_gate.Wait(timeout))
        {
            Volatile.Write(ref holder.Held, 0);
            throw TimedOut();
        }

        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        var holder = Holders.GetOrCreateValue(connection);
        if (Interlocked.CompareExchange(ref holder.Held, 1, 0) == 0)
        {
            bool entered;
            try
            {
                entered = await _gate.WaitAsync(timeout, cancellationToken);
            }
            catch
            {
                Volatile.Write(ref holder.Held, 0);
                throw;
            }

            if (!entered)
            {
                Volatile.Write(ref holder.Held, 0);
                throw TimedOut();
            }
        }

        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context?.Database.GetDbConnection());

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context?.Database.GetDbConnection());

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        if (eventData.Action is "Commit" or "Rollback")
        {
            Release(eventData.Context?.Database.GetDbConnection());
        }
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    private void Release(DbConnection? connection)
    {
        if (connection is not null && Holders.TryGetValue(connection, out var holder) && Interlocked.Exchange(ref holder.Held, 0) == 1)
        {
            _gate.Release();
        }
    }

    private TimeoutException TimedOut() =>
        new($"Waited {timeout.TotalSeconds:0} s for the SQLite database to accept a write transaction; another transaction of this process holds it.");

    private sealed class Holder
    {
        public int Held;
    }
}
