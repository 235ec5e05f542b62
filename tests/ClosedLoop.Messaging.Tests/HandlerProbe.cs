using System.Collections.Concurrent;

namespace ClosedLoop.Messaging.Tests;

/// <summary>One per replica: counts handler invocations and lets a test break or slow the shipment handler.</summary>
internal sealed class HandlerProbe
{
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);

    public bool ShipmentsFail { get; set; }

    /// <summary>Orders whose shipment fails (one poisoned message among good ones).</summary>
    public ConcurrentDictionary<Guid, bool> FailingOrders { get; } = new();

    public TimeSpan Delay { get; set; }

    public void Ran(string handler) => _runs.AddOrUpdate(handler, 1, (_, runs) => runs + 1);

    public int Runs(string handler) => _runs.GetValueOrDefault(handler);
}

/// <summary>The system clock moved forward on demand, so a retry becomes due without waiting for it.</summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
