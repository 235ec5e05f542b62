using System.Text.Json;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// The <c>case</c> loop expressions see. The channel is the feedback's (the Feedback module's directory; <c>unknown</c>
/// when it is not there); reopenings are counted on the timeline.
/// </summary>
internal sealed class CaseFactsSource(CasesDbContext db, IServiceProvider services) : ICaseFactsSource
{
    public const string UnknownChannel = "unknown";

    public async Task<CaseFacts?> FindAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == caseId, cancellationToken);
        if (c is null)
        {
            return null;
        }

        var reopened = await db.Entries.AsNoTracking().CountAsync(e => e.CaseId == caseId && e.Kind == "reopened", cancellationToken);
        var directory = services.GetService<ICustomerDirectory>();
        var feedback = directory is null ? null : await directory.FindFeedbackAsync(c.FeedbackId, cancellationToken);
        return new CaseFacts(
            c.Id,
            Names.Of(c.Status),
            Names.Of(c.Priority),
            c.TeamKey,
            c.RootCause,
            feedback?.Channel ?? UnknownChannel,
            c.Score,
            c.Sentiment,
            reopened,
            c.OpenedAt,
            c.AcknowledgedAt,
            c.ResolvedAt,
            JsonSerializer.Deserialize<List<string>>(c.Tags) ?? []);
    }
}
