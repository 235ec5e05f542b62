using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>The module's in-process contract for the workflow runtime and other modules (no viewer: they act as the system).</summary>
internal sealed class CasesApi(CasesDbContext db, TimeProvider time) : ICasesApi
{
    public const int MaxKindLength = 40;

    public async Task<CaseSnapshot?> FindAsync(Guid caseId, CancellationToken cancellationToken = default)
    {
        var found = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        return found is null ? null : Snapshot(found);
    }

    public async Task<Result<CaseSnapshot>> EscalateAsync(Guid caseId, string reason, CaseActor by, EscalationLevel? to = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var result = await CaseWork.RunAsync(db, caseId, null, null, time, c => Task.FromResult(c.Case.Escalate(to, reason, automatic: true, by, c.Now)), cancellationToken);
        return result.IsSuccess ? Snapshot(result.Value!) : result.Error!;
    }

    public async Task<Result<CaseSnapshot>> RecordAsync(Guid caseId, string kind, string text, CaseActor by, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        if (kind.Length > MaxKindLength || text.Length > CaseEntry.MaxTextLength)
        {
            return Error.Validation(new Dictionary<string, string[]> { ["kind"] = [$"kind is at most {MaxKindLength} characters, text at most {CaseEntry.MaxTextLength:N0}."] });
        }

        var result = await CaseWork.RunAsync(db, caseId, null, null, time, c =>
        {
            c.Case.Record(kind, text, by, c.Now);
            return Task.FromResult<Error?>(null);
        }, cancellationToken);
        return result.IsSuccess ? Snapshot(result.Value!) : result.Error!;
    }

    public async Task<TeamContacts?> TeamContactsAsync(string team, CancellationToken cancellationToken = default)
    {
        var key = Team.KeyOf(team);
        if (key is null)
        {
            return null;
        }

        var found = await db.Teams.AsNoTracking().Include(t => t.Members).FirstOrDefaultAsync(t => t.Key == key, cancellationToken);
        return found is null
            ? null
            : new TeamContacts(found.Key, found.Name, [.. found.Members.OrderBy(m => m.UserId, StringComparer.Ordinal).Select(m => new TeamMemberContact(m.UserId, m.Name, m.Email, m.Level, m.Available))]);
    }

    private static CaseSnapshot Snapshot(Case c) => new(
        c.Id, c.FeedbackId, c.CustomerId, c.Status, c.Priority, c.Level, c.TeamKey, c.AssigneeId, c.Loop, c.OpenedAt,
        c.AcknowledgedAt is null ? c.FirstResponseDueAt : null, c.IsPaused || !CaseLifecycle.IsOpen(c.Status) ? null : c.ResolutionDueAt, c.CustomerSummary,
        c.AssigneeName, c.RootCause, c.ResolvedAt);
}
