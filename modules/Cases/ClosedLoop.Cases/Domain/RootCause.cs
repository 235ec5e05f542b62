namespace ClosedLoop.Cases.Domain;

/// <summary>An entry of the admin-managed root-cause taxonomy a resolution must name. Retired, never deleted: resolved cases keep pointing at it.</summary>
internal sealed class RootCause
{
    public required string Key { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public bool Active { get; set; } = true;

    public DateTimeOffset UpdatedAt { get; set; }
}
