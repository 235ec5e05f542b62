using NpgsqlTypes;

namespace ClosedLoop.Bench.Cases.Seeding;

/// <summary>One row of the cases table, in the API's storage form: Status by name, Priority and Level by number.</summary>
internal sealed class CaseRow
{
    public Guid Id { get; init; }

    public Guid FeedbackId { get; init; }

    public Guid CustomerId { get; init; }

    public required string Status { get; init; }

    public int Priority { get; init; }

    public int Level { get; init; }

    public Guid? TeamId { get; init; }

    public string? TeamKey { get; init; }

    public string? AssigneeId { get; init; }

    public string? AssigneeName { get; init; }

    public string? Loop { get; init; }

    public required string Tags { get; init; }

    public int? Score { get; init; }

    public string? Category { get; init; }

    public string? Sentiment { get; init; }

    public string? Routing { get; init; }

    public bool RoutedByFallback { get; init; }

    public DateTimeOffset OpenedAt { get; init; }

    public DateTimeOffset LastActivityAt { get; init; }

    public double FirstResponseTargetMinutes { get; init; }

    public double ResolutionTargetMinutes { get; init; }

    public DateTimeOffset FirstResponseDueAt { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public DateTimeOffset ResolutionDueAt { get; init; }

    public DateTimeOffset? PausedSince { get; init; }

    public double PausedMinutes { get; init; }

    public DateTimeOffset? FirstResponseBreachedAt { get; init; }

    public DateTimeOffset? ResolutionBreachedAt { get; init; }

    public DateTimeOffset DueSort { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public string? RootCause { get; init; }

    public string? ResolutionNote { get; init; }

    public string? CustomerSummary { get; init; }

    public int? AutoEscalatedTo { get; init; }

    public int Version { get; init; }

    /// <summary>Lower-case topics of the case's feedback (the <c>case_topics</c> rows).</summary>
    public required IReadOnlyList<string> Topics { get; init; }
}

/// <summary>A column the seeder writes: its name in the table, its PostgreSQL type, and its value.</summary>
internal sealed record CaseColumn(string Name, NpgsqlDbType PostgresType, Func<CaseRow, object?> Value)
{
    /// <summary>
    /// Every column of the cases table as the migrations create it. The seeder checks this list against the live table,
    /// so a migration that adds a NOT NULL column stops the bench instead of failing on the first row.
    /// </summary>
    public static IReadOnlyList<CaseColumn> All { get; } =
    [
        new("Id", NpgsqlDbType.Uuid, r => r.Id),
        new("FeedbackId", NpgsqlDbType.Uuid, r => r.FeedbackId),
        new("CustomerId", NpgsqlDbType.Uuid, r => r.CustomerId),
        new("Status", NpgsqlDbType.Varchar, r => r.Status),
        new("Priority", NpgsqlDbType.Integer, r => r.Priority),
        new("Level", NpgsqlDbType.Integer, r => r.Level),
        new("TeamId", NpgsqlDbType.Uuid, r => r.TeamId),
        new("TeamKey", NpgsqlDbType.Varchar, r => r.TeamKey),
        new("AssigneeId", NpgsqlDbType.Varchar, r => r.AssigneeId),
        new("AssigneeName", NpgsqlDbType.Varchar, r => r.AssigneeName),
        new("Loop", NpgsqlDbType.Varchar, r => r.Loop),
        new("Tags", NpgsqlDbType.Text, r => r.Tags),
        new("Score", NpgsqlDbType.Integer, r => r.Score),
        new("Category", NpgsqlDbType.Varchar, r => r.Category),
        new("Sentiment", NpgsqlDbType.Varchar, r => r.Sentiment),
        new("Routing", NpgsqlDbType.Text, r => r.Routing),
        new("RoutedByFallback", NpgsqlDbType.Boolean, r => r.RoutedByFallback),
        new("OpenedAt", NpgsqlDbType.TimestampTz, r => r.OpenedAt),
        new("LastActivityAt", NpgsqlDbType.TimestampTz, r => r.LastActivityAt),
        new("FirstResponseTargetMinutes", NpgsqlDbType.Double, r => r.FirstResponseTargetMinutes),
        new("ResolutionTargetMinutes", NpgsqlDbType.Double, r => r.ResolutionTargetMinutes),
        new("FirstResponseDueAt", NpgsqlDbType.TimestampTz, r => r.FirstResponseDueAt),
        new("AcknowledgedAt", NpgsqlDbType.TimestampTz, r => r.AcknowledgedAt),
        new("ResolutionDueAt", NpgsqlDbType.TimestampTz, r => r.ResolutionDueAt),
        new("PausedSince", NpgsqlDbType.TimestampTz, r => r.PausedSince),
        new("PausedMinutes", NpgsqlDbType.Double, r => r.PausedMinutes),
        new("FirstResponseBreachedAt", NpgsqlDbType.TimestampTz, r => r.FirstResponseBreachedAt),
        new("ResolutionBreachedAt", NpgsqlDbType.TimestampTz, r => r.ResolutionBreachedAt),
        new("DueSort", NpgsqlDbType.TimestampTz, r => r.DueSort),
        new("ResolvedAt", NpgsqlDbType.TimestampTz, r => r.ResolvedAt),
        new("ClosedAt", NpgsqlDbType.TimestampTz, r => r.ClosedAt),
        new("RootCause", NpgsqlDbType.Varchar, r => r.RootCause),
        new("ResolutionNote", NpgsqlDbType.Varchar, r => r.ResolutionNote),
        new("CustomerSummary", NpgsqlDbType.Varchar, r => r.CustomerSummary),
        new("AutoEscalatedTo", NpgsqlDbType.Integer, r => r.AutoEscalatedTo),
        new("Version", NpgsqlDbType.Integer, r => r.Version),
    ];
}
