using ClosedLoop.SharedKernel;

namespace ClosedLoop.Messaging;

/// <summary>
/// Reacts to an integration event. Runs inside a transaction on the handler's own module DbContext,
/// which commits together with the handler's inbox row: save through that context and the work is
/// done exactly once, however often the event is delivered. Several events may be handed over in one
/// transaction, one call each, with a save and a cleared change tracker between them.
/// </summary>
public interface IIntegrationEventHandler<in TEvent>
    where TEvent : IntegrationEvent
{
    Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken);
}

/// <summary>
/// Reacts to a batch of events of one type in one call, for handlers that would otherwise pay several round
/// trips per event (a burst of thousands, as an import produces, is then a few statements per batch). Same
/// guarantees as <see cref="IIntegrationEventHandler{TEvent}"/>: one transaction with the batch's inbox rows;
/// the events are in the order they were written, and none of them was handled by this handler before. When
/// the batch fails, the dispatcher hands its events over again one per call, so a poisoned event fails alone.
/// </summary>
public interface IIntegrationEventBatchHandler<in TEvent>
    where TEvent : IntegrationEvent
{
    Task HandleAsync(IReadOnlyList<TEvent> integrationEvents, CancellationToken cancellationToken);
}
