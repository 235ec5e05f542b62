namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// Wakes the dispatcher as soon as a message is written, instead of at its next poll. The composer may call
/// <see cref="Notify"/> after its commit; <see cref="MessageWriteHook"/> does so for every commit that adds a
/// pending message anyway.
/// </summary>
internal sealed class DeliverySignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        if (_semaphore.CurrentCount > 0)
        {
            // Already signalled: one wake-up covers every write before it.
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

    /// <summary>Waits for a signal or the timeout; false on time-out.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
