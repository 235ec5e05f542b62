using Microsoft.EntityFrameworkCore;
using ClosedLoop.Persistence;

namespace ClosedLoop.Messaging;

/// <summary>Wakes the dispatcher right after an outbox write commits, instead of waiting for the sweep.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        if (_semaphore.CurrentCount > 0)
        {
            // Already signalled (the usual case under load); one wake-up covers every write before it.
            return;
        }

        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled by another thread between the check and the release.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Wakes the dispatcher when outbox rows that need a dispatch commit; what is pending is the context's own
/// (<see cref="ModuleDbContext.OutboxPending"/>, also set by bulk writes the change tracker does not see).
/// </summary>
internal sealed class OutboxCommitHook(OutboxSignal signal) : CommitHook
{
    public override void Saving(DbContext context)
    {
        if (context is ModuleDbContext module
            && module.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added && e.Entity.ProcessedAt is null))
        {
            module.OutboxPending = true;
        }
    }

    public override void Committed(DbContext context)
    {
        if (context is ModuleDbContext { OutboxPending: true } module)
        {
            module.OutboxPending = false;
            signal.Notify();
        }
    }

    public override void RolledBack(DbContext context)
    {
        if (context is ModuleDbContext module)
        {
            module.OutboxPending = false;
        }
    }
}
