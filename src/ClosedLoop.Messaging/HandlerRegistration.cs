using ClosedLoop.SharedKernel;

namespace ClosedLoop.Messaging;

/// <summary>
/// Who handles which event, in which module's DbContext. <see cref="InvokeMany"/> runs the handler for several
/// messages inside the dispatcher's one transaction; the dispatcher saves after it.
/// </summary>
internal sealed record HandlerRegistration(
    Type EventType,
    string Name,
    Type ContextType,
    Func<IServiceProvider, IReadOnlyList<IntegrationEvent>, CancellationToken, Task> InvokeMany);
