namespace ClosedLoop.Messaging;

internal static class IntegrationEventTypes
{
    /// <summary>The stored type name: the full CLR name. Events are never renamed (add a new one instead).</summary>
    public static string NameOf(Type type) => type.FullName ?? type.Name;
}
