using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClosedLoop.Persistence;

/// <summary>Ready when the database answers and every module's migrations are applied.</summary>
public sealed class DatabaseHealthCheck(DatabaseMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var behind = await migrator.PendingAsync(cancellationToken);
            return behind.Count == 0
                ? HealthCheckResult.Healthy("Database reachable; migrations applied.")
                : HealthCheckResult.Unhealthy($"Migrations pending for: {string.Join(", ", behind)}. Run 'migrate'.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Database unreachable.", ex);
        }
    }
}
