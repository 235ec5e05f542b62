using System.Text.Json;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Features.Consent;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Feedback.Contracts;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Improvements;

/// <summary>
/// Does one step of an announcement: the linked cases' customers first, then one page of customers who gave
/// feedback on the topics in the window, each page in one transaction with the announcement's cursor. A customer the
/// improvement already reached (this announcement, an earlier one, or one running at the same time on another
/// replica) is skipped: the recipients' key (improvement, customer) and the messages' deduplication key both refuse a
/// second row, and a page that loses that race is redone from the winner's rows.
/// </summary>
internal sealed class Announcer(
    CommunicationDbContext db,
    PublishedTemplates templates,
    MessageComposer composer,
    ConsentPolicy consent,
    LinkSigningKey links,
    ICasesApi cases,
    ICustomerDirectory customers,
    TimeProvider time)
{
    public const string Template = "improvement-announcement";
    public const int PageSize = 500;
    private const string LinkedDone = "\u0001linked";

    /// <summary>Runs the next step; false when the announcement is complete.</summary>
    public async Task<bool> StepAsync(Guid announcementId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var announcement = await db.Announcements.FirstAsync(a => a.Id == announcementId, cancellationToken);
        if (announcement.Status != AnnouncementStatus.Running)
        {
            return false;
        }

        var improvement = await db.Improvements.AsNoTracking().FirstAsync(i => i.Id == announcement.ImprovementId, cancellationToken);
        var template = await templates.FindAsync(db, Template, cancellationToken)
            ?? throw new InvalidOperationException($"The template '{Template}' does not exist.");
        var model = new ImprovementModel(
            improvement.Id,
            improvement.Title,
            improvement.Description,
            JsonSerializer.Deserialize<List<string>>(improvement.Topics) ?? [],
            improvement.EffectiveDate);

        links.EnsureLoaded();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        bool more;
        if (announcement.Cursor is null)
        {
            await LinkedCasesAsync(announcement, improvement, template, model, cancellationToken);
            announcement.Cursor = LinkedDone;
            more = true;
        }
        else
        {
            var after = announcement.Cursor == LinkedDone ? null : announcement.Cursor;
            var page = await customers.CustomersWithFeedbackOnAsync(model.Topics, announcement.From, announcement.To, after, PageSize, cancellationToken);
            await CustomersAsync(announcement, template, model, page, null, cancellationToken);
            more = page.Count == PageSize;
            if (page.Count > 0)
            {
                announcement.Cursor = page[^1].ExternalId;
            }
        }

        if (!more)
        {
            announcement.Status = AnnouncementStatus.Completed;
            announcement.CompletedAt = time.GetUtcNow();
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return more;
    }

    private async Task LinkedCasesAsync(AnnouncementRecord announcement, ImprovementRecord improvement, PublishedTemplate template, ImprovementModel model, CancellationToken cancellationToken)
    {
        var linked = JsonSerializer.Deserialize<List<Guid>>(improvement.LinkedCases) ?? [];
        var byCustomer = new Dictionary<Guid, CaseSnapshot>();
        foreach (var caseId in linked)
        {
            if (await cases.FindAsync(caseId, cancellationToken) is { } found)
            {
                byCustomer.TryAdd(found.CustomerId, found);
            }
        }

        var contacts = await customers.FindManyAsync(byCustomer.Keys, cancellationToken);
        await CustomersAsync(announcement, template, model, contacts, byCustomer, cancellationToken);
    }

    private async Task CustomersAsync(
        AnnouncementRecord announcement,
        PublishedTemplate template,
        ImprovementModel model,
        IReadOnlyList<CustomerContact> page,
        IReadOnlyDictionary<Guid, CaseSnapshot>? cases,
        CancellationToken cancellationToken)
    {
        announcement.Matched += page.Count;
        if (page.Count == 0)
        {
            return;
        }

        var ids = page.Select(c => c.Id).ToList();
        var reached = (await db.ImprovementRecipients.AsNoTracking()
            .Where(r => r.ImprovementId == announcement.ImprovementId && ids.Contains(r.CustomerId))
            .Select(r => r.CustomerId)
            .ToListAsync(cancellationToken)).ToHashSet();
        var fresh = page.Where(c => !reached.Contains(c.Id)).ToList();
        announcement.AlreadyReached += page.Count - fresh.Count;
        var now = time.GetUtcNow();
        var reasons = await consent.SuppressionReasonsAsync(db, fresh, MessagePurpose.Marketing, now, cancellationToken);
        foreach (var customer in fresh)
        {
            var supportCase = cases?.GetValueOrDefault(customer.Id);
            var composed = await composer.ToCustomerAsync(
                template,
                new MessageSubject(customer, null, supportCase, Improvement: model),
                $"improvement:{announcement.ImprovementId:N}:customer:{customer.Id:N}",
                announcement.CreatedBy,
                announcement.ImprovementId,
                cancellationToken,
                () => reasons.GetValueOrDefault(customer.Id));
            db.ImprovementRecipients.Add(new ImprovementRecipientRecord
            {
                ImprovementId = announcement.ImprovementId,
                CustomerId = customer.Id,
                MessageId = composed.Message.Id,
                AnnouncementId = announcement.Id,
            });
            announcement.Queued++;
            if (supportCase is not null && composed.Message.Status != MessageStatus.Suppressed)
            {
                db.Publish(new CaseCommunicatedIntegrationEvent(supportCase.Id, customer.Id, announcement.ImprovementId, model.Title, composed.Message.Id, now));
            }
        }
    }
}
