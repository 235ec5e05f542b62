using ClosedLoop.Feedback.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Feedback.Features;

/// <summary>
/// Idempotency keys guard retries, which come within minutes or hours; after a week they only take space.
/// Items with an externalId stay idempotent forever through (source, externalId).
/// </summary>
internal sealed class IdempotencyKeyPurger(IServiceScopeFactory scopes, TimeProvider time, ILogger<IdempotencyKeyPurger> logger) : BackgroundService
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<FeedbackDbContext>();
                var cutoff = time.GetUtcNow() - Retention;
                await db.IdempotencyKeys.Where(k => k.CreatedAt < cutoff).ExecuteDeleteAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Purging old idempotency keys failed; trying again in {Every}", Every);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
