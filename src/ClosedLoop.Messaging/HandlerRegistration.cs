using ClosedLoop.SharedKernel;

namespace ClosedLoop.Messaging;

/// <summary>Who handles which event, in which module's DbContext.</summary>
internal sealed record HandlerRegistration(
    Type EventType,
    string Name,
    Type ContextType,
    Func<IServiceProvider, IntegrationEvent, CancellationToken, Task> Invoke);
