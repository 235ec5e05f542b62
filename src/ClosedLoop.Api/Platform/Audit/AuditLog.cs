using ClosedLoop.Api.Platform.Data;
using ClosedLoop.Web;

namespace ClosedLoop.Api.Platform.Audit;

/// <summary>Writes audit records to the platform schema, each in its own short transaction.</summary>
internal sealed class AuditLog(IServiceScopeFactory scopes, TimeProvider time, ILogger<AuditLog> logger) : IAuditLog
{
    public async Task RecordAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        db.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(),
            At = time.GetUtcNow(),
            Action = Truncate(record.Action, 100)!,
            Target = Truncate(record.Target, 300),
            ActorId = Truncate(record.ActorId, 200)!,
            ActorName = Truncate(record.ActorName, 200)!,
            ActorRole = Truncate(record.ActorRole, 20),
            Method = Truncate(record.Method, 10)!,
            Path = Truncate(record.Path, 500)!,
            Status = record.Status,
            TraceId = Truncate(record.TraceId, 100),
            Details = Truncate(record.Details, 4000),
        });

        // The change it records has committed; the audit write must not be cancelled half-way by a client hanging up.
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Audit: {Actor} {Action} {Target} ({Status})", record.ActorName, record.Action, record.Target, record.Status);
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
