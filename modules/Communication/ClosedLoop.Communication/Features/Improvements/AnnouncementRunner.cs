using ClosedLoop.Communication.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Communication.Features.Improvements;

/// <summary>Wakes the runner when an announcement is started in this process.</summary>
internal sealed class AnnouncementSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Runs announcements in the background, one page at a time, on any replica: a replica leases an announcement, and
/// a lease that lapses (the replica died) lets another go on from the saved cursor. A page that fails (most often:
/// another announcement of the same improvement reached a customer first) is redone; one that keeps failing marks
/// the announcement failed with the error.
/// </summary>
internal sealed class AnnouncementRunner(IServiceScopeFactory scopes, AnnouncementSignal signal, TimeProvider time, ILogger<AnnouncementRunner> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private const int PageAttempts = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ClaimAsync(stoppingToken) is { } id)
                {
                    await RunAsync(id, stoppingToken);
                }

                await signal.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Announcements failed; trying again in {Poll}", Poll);
                await Task.Delay(Poll, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<Guid?> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunicationDbContext>();
        var now = time.GetUtcNow();
        var candidates = await db.Announcements.AsNoTracking()
            .Where(a => a.Status == AnnouncementStatus.Running && (a.LockedUntil == null || a.LockedUntil < now))
            .OrderBy(a => a.CreatedAt).Select(a => new { a.Id, a.LockedUntil }).Take(5).ToListAsync(cancellationToken);
        foreach (var candidate in candidates)
        {
            // Taken only if nobody took it since it was read: the lease it had is part of the condition.
            var taken = await db.Announcements
                .Where(a => a.Id == candidate.Id && a.Status == AnnouncementStatus.Running && a.LockedUntil == candidate.LockedUntil)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LockedUntil, now + Lease), cancellationToken);
            if (taken == 1)
            {
                return candidate.Id;
            }
        }

        return null;
    }

    private async Task RunAsync(Guid id, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var announcer = scope.ServiceProvider.GetRequiredService<Announcer>();
            var db = scope.ServiceProvider.GetRequiredService<CommunicationDbContext>();
            try
            {
                var more = await announcer.StepAsync(id, cancellationToken);
                failures = 0;
                var until = time.GetUtcNow() + Lease;
                await db.Announcements.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.LockedUntil, more ? until : null), cancellationToken);
                if (!more)
                {
                    logger.LogInformation("Announcement {AnnouncementId} completed", id);
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (++failures < PageAttempts)
                {
                    logger.LogWarning(e, "A page of announcement {AnnouncementId} failed (attempt {Attempt}); redoing it", id, failures);
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(50, 250) * failures), time, cancellationToken);
                    continue;
                }

                logger.LogError(e, "Announcement {AnnouncementId} failed {Attempts} times in a row and stops", id, failures);
                db.ChangeTracker.Clear();
                var error = e.Message.Length > MessageRecord.MaxErrorLength ? e.Message[..MessageRecord.MaxErrorLength] : e.Message;
                await db.Announcements.Where(a => a.Id == id).ExecuteUpdateAsync(
                    s => s.SetProperty(a => a.Status, AnnouncementStatus.Failed).SetProperty(a => a.Error, error).SetProperty(a => a.LockedUntil, (DateTimeOffset?)null),
                    CancellationToken.None);
                return;
            }
        }
    }
}
