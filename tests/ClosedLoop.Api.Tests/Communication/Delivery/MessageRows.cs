using System.Data.Common;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClosedLoop.Api.Tests.Communication.Delivery;

/// <summary>
/// Writes and reads message rows straight in the Communication module's table (its types are internal to it), as the
/// composer would have written them.
/// </summary>
internal static class MessageRows
{
    public static async Task<Guid> InsertEmailAsync(ApiFactory factory, string status, int attempts = 0)
    {
        var id = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var sqlite = factory.Provider == DatabaseProvider.Sqlite;
        await using var connection = Open(factory);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {Table(factory)} ("Id", "DedupKey", "Channel", "Purpose", "TemplateKey", "TemplateVersion", "Language",
                "RecipientAddress", "ExternalId", "Status", "Attempts", "NextAttemptAt", "CreatedAt", "CreatedBy", "LastError")
            VALUES (@id, @dedup, 'Email', 'Transactional', 'resolution', 1, 'en', 'ada@example.com', @external, @status, @attempts, @now, @now, 'test', @error)
            """;
        Add(command, "id", sqlite ? id.ToString().ToUpperInvariant() : id);
        Add(command, "dedup", $"test:{id}");
        Add(command, "external", id.ToString("N"));
        Add(command, "status", status);
        Add(command, "attempts", attempts);
        Add(command, "now", sqlite ? now.UtcTicks : now);
        Add(command, "error", attempts > 0 ? "SMTP 550 on SenderNotAccepted: rejected" : DBNull.Value);
        await command.ExecuteNonQueryAsync();
        return id;
    }

    public static async Task<(string Status, int Attempts)> ReadAsync(ApiFactory factory, Guid id)
    {
        var sqlite = factory.Provider == DatabaseProvider.Sqlite;
        await using var connection = Open(factory);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""SELECT "Status", "Attempts" FROM {Table(factory)} WHERE "Id" = @id""";
        Add(command, "id", sqlite ? id.ToString().ToUpperInvariant() : id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.GetInt32(1));
    }

    private static DbConnection Open(ApiFactory factory) => factory.Provider == DatabaseProvider.Sqlite
        ? new SqliteConnection(factory.ConnectionString)
        : new NpgsqlConnection(factory.ConnectionString);

    private static string Table(ApiFactory factory) =>
        factory.Provider == DatabaseProvider.Sqlite ? "\"communication_messages\"" : "\"communication\".\"messages\"";

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
