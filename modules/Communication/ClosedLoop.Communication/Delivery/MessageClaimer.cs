using ClosedLoop.Communication.Data;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// Leases the next due messages to one dispatcher: Pending or Retrying, due, and not leased by anyone else (or their
/// lease lapsed: that dispatcher crashed or hangs, and the message goes again under the same Message-ID). Each
/// provider does it in ONE statement, so two replicas never hold the same row at once.
/// </summary>
internal sealed class MessageClaimer(IOptions<DatabaseOptions> database)
{
    private readonly DatabaseProvider _provider = database.Value.Provider;

    /// <summary>Claims up to <paramref name="limit"/> rows under <paramref name="token"/> and returns them, oldest due first.</summary>
    public async Task<List<MessageRecord>> ClaimAsync(
        CommunicationDbContext db, Guid token, DateTimeOffset now, TimeSpan lease, int limit, bool includeEmail, CancellationToken cancellationToken)
    {
        now = now.ToUniversalTime();
        var until = now + lease;
        object[] parameters = [token, until, now, limit];
        List<MessageRecord> claimed;
        switch (_provider)
        {
            case DatabaseProvider.PostgreSql:
                claimed = await db.Messages.FromSqlRaw(PostgreSqlClaim(Table(db, '"', '"'), includeEmail), parameters).AsNoTracking().ToListAsync(cancellationToken);
                break;
            case DatabaseProvider.SqlServer:
                claimed = await db.Messages.FromSqlRaw(SqlServerClaim(Table(db, '[', ']'), includeEmail), parameters).AsNoTracking().ToListAsync(cancellationToken);
                break;
            default:
                // SQLite has one writer at a time: a conditional update is already exclusive, across processes too.
                await db.Messages
                    .Where(m => (m.Status == MessageStatus.Pending || m.Status == MessageStatus.Retrying)
                        && m.NextAttemptAt <= now
                        && (m.LockedUntil == null || m.LockedUntil < now)
                        && (includeEmail || m.Channel != MessageChannel.Email))
                    .OrderBy(m => m.NextAttemptAt)
                    .Take(limit)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockToken, token).SetProperty(m => m.LockedUntil, until), cancellationToken);

                // Read back through the (Status, NextAttemptAt) index: there is none on the token.
                claimed = await db.Messages.AsNoTracking()
                    .Where(m => (m.Status == MessageStatus.Pending || m.Status == MessageStatus.Retrying) && m.NextAttemptAt <= now && m.LockToken == token)
                    .ToListAsync(cancellationToken);
                break;
        }

        claimed.Sort((a, b) => a.NextAttemptAt.CompareTo(b.NextAttemptAt));
        return claimed;
    }

    // Without an SMTP relay, email rows are left alone (pending, not failing) and only webhooks are claimed.
    private const string WebhooksOnlyPostgreSql = " AND \"Channel\" <> 'Email'";
    private const string WebhooksOnlySqlServer = " AND [Channel] <> N'Email'";

    // SKIP LOCKED: a row another replica is claiming this instant is passed over, not waited for; the outer WHERE is
    // re-evaluated on the locked rows, so a row claimed and committed meanwhile is not taken twice.
    private static string PostgreSqlClaim(string table, bool includeEmail) => $$"""
        WITH claimed AS (
        UPDATE {{table}} SET "LockToken" = {0}, "LockedUntil" = {1}
        WHERE "Id" IN (
            SELECT "Id" FROM {{table}}
            WHERE "Status" IN ('Pending', 'Retrying') AND "NextAttemptAt" <= {2}
              AND ("LockedUntil" IS NULL OR "LockedUntil" < {2}){{(includeEmail ? "" : WebhooksOnlyPostgreSql)}}
            ORDER BY "NextAttemptAt"
            LIMIT {3}
            FOR UPDATE SKIP LOCKED)
          AND ("LockedUntil" IS NULL OR "LockedUntil" < {2})
        RETURNING *)
        SELECT * FROM claimed
        """;

    // UPDLOCK holds the rows to the update, READPAST skips rows another claim holds, ROWLOCK keeps it from escalating.
    private static string SqlServerClaim(string table, bool includeEmail) => $$"""
        WITH due AS (
            SELECT TOP ({3}) * FROM {{table}} WITH (UPDLOCK, READPAST, ROWLOCK)
            WHERE [Status] IN (N'Pending', N'Retrying') AND [NextAttemptAt] <= {2}
              AND ([LockedUntil] IS NULL OR [LockedUntil] < {2}){{(includeEmail ? "" : WebhooksOnlySqlServer)}}
            ORDER BY [NextAttemptAt])
        UPDATE due SET [LockToken] = {0}, [LockedUntil] = {1}
        OUTPUT inserted.*;
        """;

    private static string Table(CommunicationDbContext db, char open, char close)
    {
        IEntityType entity = db.Model.FindEntityType(typeof(MessageRecord)) ?? throw new InvalidOperationException("MessageRecord is not mapped.");
        var table = $"{open}{entity.GetTableName()}{close}";
        return entity.GetSchema() is { } schema ? $"{open}{schema}{close}.{table}" : table;
    }
}
