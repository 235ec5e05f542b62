using System.Data.Common;
using ClosedLoop.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClosedLoop.Bench.Delivery;

/// <summary>
/// The backlog, written straight into the module's tables as the composer writes them (the module's types are its
/// own), and the count of what has been sent.
/// </summary>
internal static class BenchRows
{
    public static async Task InsertAsync(DatabaseProvider provider, string connectionString, int count, string? webhookUrl)
    {
        var sqlite = provider == DatabaseProvider.Sqlite;
        object Id(Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id;
        object Time(DateTimeOffset t) => sqlite ? t.UtcTicks : t;
        var prefix = sqlite ? "\"communication_" : "\"communication\".\"";
        var now = DateTimeOffset.UtcNow;
        await using var connection = Open(provider, connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Guid? endpoint = null;
        if (webhookUrl is not null)
        {
            endpoint = Guid.NewGuid();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO {prefix}webhook_endpoints" ("Id", "Name", "Url", "Secret", "Events", "Enabled", "CreatedAt", "CreatedBy")
                VALUES (@id, 'bench', @url, @secret, '*', TRUE, @now, 'bench')
                """;
            Add(insert, "id", Id(endpoint.Value));
            Add(insert, "url", webhookUrl);
            Add(insert, "secret", "whsec_" + Convert.ToBase64String(new byte[32]));
            Add(insert, "now", Time(now));
            await insert.ExecuteNonQueryAsync();
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO {prefix}messages" ("Id", "DedupKey", "Channel", "Purpose", "TemplateKey", "TemplateVersion", "Language",
                "WebhookEndpointId", "RecipientAddress", "RecipientName", "Subject", "HtmlBody", "TextBody", "Payload", "ExternalId",
                "Status", "Attempts", "NextAttemptAt", "CreatedAt", "CreatedBy")
            VALUES (@id, @dedup, @channel, 'Transactional', 'resolution', 1, 'en', @endpoint, @to, 'Ada Lovelace', 'Your case is resolved',
                @html, 'Hello Ada, your case is resolved. Reply to this message if anything is still wrong.', @payload, @external,
                'Pending', 0, @now, @now, 'bench')
            """;
        var id = Add(command, "id", Id(Guid.Empty));
        var dedup = Add(command, "dedup", "");
        Add(command, "channel", endpoint is null ? "Email" : "Webhook");
        Add(command, "endpoint", endpoint is { } e ? Id(e) : DBNull.Value);
        var to = Add(command, "to", "");
        Add(command, "html", "<p>Hello <b>Ada</b>, your case is resolved.</p><p>Reply to this message if anything is still wrong.</p>");
        Add(command, "payload", endpoint is null ? DBNull.Value : """{"type":"case.escalated","data":{"caseId":"0193a0c2-b1e4-7c8a-9f00-000000000001","level":2}}""");
        var external = Add(command, "external", "");
        Add(command, "now", Time(now));
        await command.PrepareAsync();
        for (var i = 0; i < count; i++)
        {
            var messageId = Guid.CreateVersion7();
            id.Value = Id(messageId);
            dedup.Value = $"bench:{messageId}";
            to.Value = webhookUrl ?? $"ada+{i}@example.com";
            external.Value = messageId.ToString("N");
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public static async Task<long> SentAsync(DatabaseProvider provider, string connectionString)
    {
        await using var connection = Open(provider, connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM \"communication_messages\" WHERE \"Status\" = 'Sent'"
            : "SELECT COUNT(*) FROM \"communication\".\"messages\" WHERE \"Status\" = 'Sent'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DbConnection Open(DatabaseProvider provider, string connectionString) => provider == DatabaseProvider.Sqlite
        ? new SqliteConnection(connectionString)
        : new NpgsqlConnection(connectionString);

    private static DbParameter Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
