using ClosedLoop.SharedKernel;

namespace ClosedLoop.Messaging;

/// <summary>
/// Reacts to an integration event. Runs inside a transaction on the handler's own module DbContext,
/// which commits together with the handler's inbox row: save through that context and the work is
/// done exactly once, however often the event is delivered.
/// </summary>
public interface IIntegrationEventHandler<in TEvent>
    where TEvent : IntegrationEvent
{
    Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken);
}
