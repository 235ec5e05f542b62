using System.Security.Claims;
using System.Text.Json;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Features;

/// <summary>Who gave a piece of feedback (null fields once the customer is erased).</summary>
internal sealed record FeedbackCustomer(Guid Id, string ExternalId, string? Name, string? Region, string? Segment, bool Erased);

/// <summary>The sentiment of the comment: label and compound score (−1 … 1).</summary>
internal sealed record FeedbackSentiment(string Label, double Score);

/// <summary>
/// A piece of feedback as stored: text exactly as sent, with its sentiment, topics, and the routing decision and
/// its explanation (<c>routing</c>: the decision, whether the default route was used and why, and per rule set its
/// version, outcome, the rules that held or failed with what they contributed, and the rules that did not hold),
/// and <c>caseId</c> once the Cases module opened a follow-up case for it. A follow-up answer (a loop's survey) has
/// <c>caseId</c> (the case it answers) and <c>loopInstanceId</c> (the loop that asked) from the start, and no case of its own.
/// </summary>
internal sealed record FeedbackResponse(
    Guid Id,
    string Source,
    string? ExternalId,
    string Channel,
    DateTimeOffset SubmittedAt,
    DateTimeOffset ReceivedAt,
    int? Score,
    NpsCategory Category,
    string? Comment,
    JsonElement? Attributes,
    FeedbackCustomer Customer,
    Guid? ImportId,
    DateTimeOffset? ErasedAt,
    FeedbackSentiment? Sentiment,
    IReadOnlyList<string> Topics,
    JsonElement? Routing,
    Guid? CaseId,
    Guid? LoopInstanceId);

/// <summary>A page of feedback; pass <see cref="NextCursor"/> as <c>cursor</c> for the next one (null at the end).</summary>
internal sealed record FeedbackPage(IReadOnlyList<FeedbackResponse> Items, int PageSize, string? NextCursor);

internal static class QueryFeedback
{
    /// <summary>One piece of feedback with its customer.</summary>
    /// <remarks>
    /// Analysts and admins read any feedback. An agent reads the feedback of a customer only while it may see one of
    /// that customer's cases (a member of the case's team at the case's escalation level or higher); any other
    /// feedback answers 404, as if it did not exist. A case just opened, moved or escalated counts here a moment later.
    /// </remarks>
    /// <param name="id">The feedback id.</param>
    /// <param name="user">The caller.</param>
    /// <param name="access">Who sees which cases.</param>
    /// <param name="db">The Feedback database.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<FeedbackResponse>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, ICaseAccess access, FeedbackDbContext db, CancellationToken cancellationToken)
    {
        var reach = await FeedbackReach.OfAsync(user, access, analystsSeeAll: true, cancellationToken);
        var found = reach.Nothing ? null : await Project(reach.Filter(db.Items.AsNoTracking().Where(i => i.Id == id), db), db).FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return Problems.NotFound("feedback", id);
        }

        var topics = await TopicsAsync(db, [found.Item.Id], cancellationToken);
        return TypedResults.Ok(ToResponse(found, topics));
    }

    /// <summary>Lists feedback, newest submission first, with keyset paging.</summary>
    /// <remarks>
    /// Filters combine. Follow <c>nextCursor</c> until it is null; a cursor stays valid while new feedback arrives.
    /// Analysts and admins list all feedback; an agent only that of customers with a case it may see (a member of the
    /// case's team at the case's escalation level or higher), also with <c>customerId</c>: other customers' feedback
    /// is left out, not refused.
    /// </remarks>
    /// <param name="customerId">Only this customer's feedback.</param>
    /// <param name="caseId">Only the feedback of this case: the item it was opened for and the follow-up answers its loop collected.</param>
    /// <param name="category">promoter, passive, detractor or none.</param>
    /// <param name="source">Only this source.</param>
    /// <param name="channel">Only this channel.</param>
    /// <param name="topic">Only feedback the rules tagged with this topic (case-insensitive), e.g. <c>delivery</c>.</param>
    /// <param name="from">Submitted at or after (UTC).</param>
    /// <param name="to">Submitted before (UTC).</param>
    /// <param name="cursor">From the previous page's nextCursor.</param>
    /// <param name="pageSize">1–500, default 50.</param>
    /// <param name="user">The caller.</param>
    /// <param name="access">Who sees which cases.</param>
    /// <param name="db">The Feedback database.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<FeedbackPage>, ProblemHttpResult>> List(
        Guid? customerId,
        Guid? caseId,
        string? category,
        string? source,
        string? channel,
        string? topic,
        DateTimeOffset? from,
        DateTimeOffset? to,
        string? cursor,
        int? pageSize,
        ClaimsPrincipal user,
        ICaseAccess access,
        FeedbackDbContext db,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        NpsCategory? wanted = null;
        if (category is not null)
        {
            if (Enum.TryParse<NpsCategory>(category, ignoreCase: true, out var parsed) && !int.TryParse(category, out _))
            {
                wanted = parsed;
            }
            else
            {
                errors.Add("category", "category must be promoter, passive, detractor or none.");
            }
        }

        var size = pageSize ?? 50;
        errors.When(size is < 1 or > 500, "pageSize", "pageSize must be between 1 and 500.")
            .When(from > to, "from", "from must not be after to.");
        var after = cursor is null ? null : KeysetCursor.Decode(cursor);
        errors.When(cursor is not null && after is null, "cursor", "cursor is not one this API returned.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var reach = await FeedbackReach.OfAsync(user, access, analystsSeeAll: true, cancellationToken);
        if (reach.Nothing)
        {
            return TypedResults.Ok(new FeedbackPage([], size, null));
        }

        var items = db.Items.AsNoTracking();
        if (customerId is { } customer)
        {
            items = reach.Filter(items, db).Where(i => i.CustomerId == customer);
        }
        else
        {
            items = await reach.FilterListAsync(items, db, cancellationToken);
        }

        if (caseId is { } supportCase)
        {
            items = items.Where(i => i.CaseId == supportCase);
        }

        if (wanted is { } c)
        {
            items = items.Where(i => i.Category == c);
        }

        if (!string.IsNullOrWhiteSpace(source))
        {
            items = items.Where(i => i.Source == source);
        }

        if (!string.IsNullOrWhiteSpace(channel))
        {
            var normalized = channel.Trim().ToLowerInvariant();
            items = items.Where(i => i.Channel == normalized);
        }

        if (!string.IsNullOrWhiteSpace(topic))
        {
            var normalized = topic.Trim().ToLowerInvariant();
            items = items.Where(i => db.ItemTopics.Any(t => t.ItemId == i.Id && t.Topic == normalized));
        }

        if (from is { } start)
        {
            var utc = start.ToUniversalTime();
            items = items.Where(i => i.SubmittedAt >= utc);
        }

        if (to is { } end)
        {
            var utc = end.ToUniversalTime();
            items = items.Where(i => i.SubmittedAt < utc);
        }

        if (after is { } position)
        {
            items = items.Where(i => i.SubmittedAt < position.At || (i.SubmittedAt == position.At && i.Id.CompareTo(position.Id) < 0));
        }

        var page = await Project(items.OrderByDescending(i => i.SubmittedAt).ThenByDescending(i => i.Id).Take(size + 1), db).ToListAsync(cancellationToken);
        var next = page.Count > size ? KeysetCursor.Encode(page[size - 1].Item.SubmittedAt, page[size - 1].Item.Id) : null;
        var shown = page.Take(size).ToList();
        var topics = await TopicsAsync(db, [.. shown.Select(r => r.Item.Id)], cancellationToken);
        return TypedResults.Ok(new FeedbackPage(shown.Select(r => ToResponse(r, topics)).ToList(), size, next));
    }

    internal sealed record Row(FeedbackItem Item, Customer Customer);

    internal static IQueryable<Row> Project(IQueryable<FeedbackItem> items, FeedbackDbContext db) =>
        items.Join(db.Customers.AsNoTracking(), i => i.CustomerId, c => c.Id, (i, c) => new Row(i, c));

    /// <summary>The topics of the given items, by item.</summary>
    internal static async Task<ILookup<Guid, string>> TopicsAsync(FeedbackDbContext db, List<Guid> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return Array.Empty<ItemTopic>().ToLookup(t => t.ItemId, t => t.Topic);
        }

        var rows = await db.ItemTopics.AsNoTracking().Where(t => ids.Contains(t.ItemId)).ToListAsync(cancellationToken);
        return rows.OrderBy(t => t.Topic, StringComparer.Ordinal).ToLookup(t => t.ItemId, t => t.Topic);
    }

    internal static FeedbackResponse ToResponse(Row row, ILookup<Guid, string> topics) => new(
        row.Item.Id,
        row.Item.Source,
        row.Item.ExternalId,
        row.Item.Channel,
        row.Item.SubmittedAt,
        row.Item.ReceivedAt,
        row.Item.Score,
        row.Item.Category,
        row.Item.Comment,
        row.Item.Attributes is null ? null : JsonDocument.Parse(row.Item.Attributes).RootElement.Clone(),
        new FeedbackCustomer(row.Customer.Id, row.Customer.ExternalId, row.Customer.Name, row.Customer.Region, row.Customer.Segment, row.Customer.ErasedAt is not null),
        row.Item.ImportId,
        row.Item.ErasedAt,
        row.Item.Sentiment is null ? null : new FeedbackSentiment(row.Item.Sentiment, row.Item.SentimentScore ?? 0),
        [.. topics[row.Item.Id]],
        row.Item.Routing is null ? null : JsonDocument.Parse(row.Item.Routing).RootElement.Clone(),
        row.Item.CaseId,
        row.Item.LoopInstanceId);
}
