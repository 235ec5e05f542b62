namespace ClosedLoop.SharedKernel;

/// <summary>The four roles a caller can hold (API key or JWT role claim).</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Agent = "agent";
    public const string Analyst = "analyst";
    public const string Ingest = "ingest";

    public static readonly IReadOnlyList<string> All = [Admin, Agent, Analyst, Ingest];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>
/// Authorization policies, named after who may call. Admin is in every policy: API.md lists admin for
/// every route.
/// </summary>
public static class Policies
{
    /// <summary>admin only.</summary>
    public const string Admin = "admin";

    /// <summary>ingest, admin: writing feedback.</summary>
    public const string Ingest = "ingest";

    /// <summary>agent, admin: working cases.</summary>
    public const string Agent = "agent";

    /// <summary>analyst, admin: insights.</summary>
    public const string Analyst = "analyst";

    /// <summary>agent, analyst, admin: reading feedback.</summary>
    public const string Reader = "reader";
}
