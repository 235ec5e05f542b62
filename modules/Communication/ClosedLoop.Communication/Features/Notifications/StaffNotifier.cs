using System.Security.Cryptography;
using System.Text;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Feedback.Contracts;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Features.Notifications;

/// <summary>The messages one notice to staff wrote (unsaved), and whether the case had a team to address.</summary>
internal sealed record StaffNotice(IReadOnlyList<Guid> MessageIds, bool HasTeam);

/// <summary>
/// Writes a notice about a case to staff: to the team members <c>recipients</c> picks, by email, and to every webhook
/// endpoint subscribed to the template. The caller saves (an event's inbox transaction, a loop step); every message
/// is keyed by <c>{keyPrefix}:u:{member}</c> or <c>{keyPrefix}:w:{endpoint}</c>, so writing the same notice again
/// adds nothing. Case events (<see cref="CaseNotifications"/>) and the loops' SendMessage step use it alike.
/// </summary>
internal sealed class StaffNotifier(CommunicationDbContext db, MessageComposer composer, ICasesApi cases, ICustomerDirectory customers)
{
    public async Task<StaffNotice> QueueAsync(
        PublishedTemplate template,
        CaseSnapshot supportCase,
        Func<TeamContacts, IEnumerable<TeamMemberContact>> recipients,
        Func<MessageSubject, MessageSubject> shape,
        string keyPrefix,
        CancellationToken cancellationToken)
    {
        var team = supportCase.Team is null ? null : await cases.TeamContactsAsync(supportCase.Team, cancellationToken);
        var customer = await customers.FindAsync(supportCase.CustomerId, cancellationToken);
        var feedback = await customers.FindFeedbackAsync(supportCase.FeedbackId, cancellationToken);
        var subject = shape(new MessageSubject(customer, feedback, supportCase, TeamName: team?.Name));
        var ids = new List<Guid>();
        if (team is not null)
        {
            foreach (var member in recipients(team).DistinctBy(m => m.UserId))
            {
                var recipient = new RecipientModel(member.Name, member.Email, team.Name);
                ids.Add((await composer.ToStaffAsync(template, subject with { Recipient = recipient }, Key(keyPrefix, "u", member.UserId), cancellationToken)).Message.Id);
            }
        }

        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(w => w.Enabled).ToListAsync(cancellationToken);
        foreach (var endpoint in endpoints.Where(e => Subscribes(e, template.Key)))
        {
            var recipient = new RecipientModel(endpoint.Name, null, team?.Name);
            ids.Add((await composer.ToWebhookAsync(template, subject with { Recipient = recipient }, endpoint, Key(keyPrefix, "w", endpoint.Id.ToString("N")), cancellationToken)).Message.Id);
        }

        return new StaffNotice(ids, team is not null);
    }

    /// <summary>The available members at the level; when nobody works at it, whoever works above it.</summary>
    public static IEnumerable<TeamMemberContact> AtLeast(TeamContacts team, EscalationLevel level)
    {
        var available = team.Members.Where(m => m.Available).ToList();
        var exact = available.Where(m => m.Level == level).ToList();
        return exact.Count > 0 ? exact : available.Where(m => m.Level > level);
    }

    /// <summary>Whether an endpoint takes notifications of <paramref name="templateKey"/> (its list, or <c>*</c>).</summary>
    public static bool Subscribes(WebhookEndpointRecord endpoint, string templateKey) =>
        endpoint.Events.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(e => e == "*" || string.Equals(e, templateKey, StringComparison.Ordinal));

    /// <summary>One key per notice and recipient; a long recipient id is hashed so the key stays within its column.</summary>
    private static string Key(string prefix, string kind, string recipient)
    {
        var id = recipient.Length <= 64 ? recipient : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipient)));
        return $"{prefix}:{kind}:{id}";
    }
}
