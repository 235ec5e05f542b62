using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClosedLoop.Persistence;

/// <summary>
/// Something to do once what a module context saved is committed, never before and never after a rollback: wake the
/// outbox dispatcher, the message dispatcher, the workflow runner. One per process and shared by pooled contexts, so
/// what it remembers between <see cref="Saving"/> and <see cref="Committed"/> it keeps on the context (or keyed by it).
/// </summary>
public abstract class CommitHook
{
    /// <summary>Before a save, while the change tracker still shows what the save adds.</summary>
    public virtual void Saving(DbContext context)
    {
    }

    /// <summary>The save (when it had no transaction of its own) or the transaction around it committed.</summary>
    public abstract void Committed(DbContext context);

    /// <summary>The transaction rolled back: forget what was remembered for it.</summary>
    public virtual void RolledBack(DbContext context)
    {
    }
}

public static class CommitHookServiceCollectionExtensions
{
    /// <summary>Runs <typeparamref name="THook"/> (a singleton) around the commits of every module context.</summary>
    public static IServiceCollection AddCommitHook<THook>(this IServiceCollection services)
        where THook : CommitHook
    {
        services.AddSingleton<THook>();
        services.AddSingleton<CommitHook>(sp => sp.GetRequiredService<THook>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInterceptor, CommitHookInterceptor>());
        return services;
    }
}

/// <summary>The one interceptor that tells the <see cref="CommitHook"/>s about saves, commits and rollbacks.</summary>
internal sealed class CommitHookInterceptor(IEnumerable<CommitHook> hooks) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly CommitHook[] _hooks = [.. hooks];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        CommittedUnlessInTransaction(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        CommittedUnlessInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => RolledBack(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        RolledBack(eventData.Context);
        return Task.CompletedTask;
    }

    private void Saving(DbContext? context)
    {
        if (context is not null)
        {
            foreach (var hook in _hooks)
            {
                hook.Saving(context);
            }
        }
    }

    private void CommittedUnlessInTransaction(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            Committed(context);
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is not null)
        {
            foreach (var hook in _hooks)
            {
                hook.Committed(context);
            }
        }
    }

    private void RolledBack(DbContext? context)
    {
        if (context is not null)
        {
            foreach (var hook in _hooks)
            {
                hook.RolledBack(context);
            }
        }
    }
}
