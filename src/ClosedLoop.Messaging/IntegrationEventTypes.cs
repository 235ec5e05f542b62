namespace ClosedLoop.Messaging;

internal static class IntegrationEventTypes
{
    /// <summary>The stored type name: the full CLR name. Events are never renamed (add a new one instead).</summary>
    public static string NameOf(Type type) => type.FullName ?? type.Name;
}

/// <summary>An event type this process knows: one its modules publish or handle.</summary>
internal sealed record IntegrationEventRegistration(Type EventType);

/// <summary>
/// Every event type this process knows, by stored name. A message of a type not in here was written by a
/// newer version of the product (a rolling deploy): it is left for a replica that knows it, not consumed.
/// </summary>
internal sealed class IntegrationEventCatalog(IEnumerable<IntegrationEventRegistration> registrations, IEnumerable<HandlerRegistration> handlers)
{
    private readonly Dictionary<string, Type> _types = registrations
        .GroupBy(r => IntegrationEventTypes.NameOf(r.EventType))
        .ToDictionary(g => g.Key, g => g.First().EventType, StringComparer.Ordinal);

    private readonly HashSet<Type> _handled = handlers.Select(h => h.EventType).ToHashSet();

    /// <summary>Whether a module of this process handles the type (all replicas run the same modules).</summary>
    public bool IsHandled(Type type) => _handled.Contains(type);

    public bool TryGet(string name, out Type type) => _types.TryGetValue(name, out type!);

    public bool Knows(Type type) => _types.ContainsKey(IntegrationEventTypes.NameOf(type));
}
