using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Tests.Hardening;

/// <summary>
/// A row that passes every check and still cannot be stored (here: a database trigger refuses it, as a constraint or a
/// server limit would) fails its chunk once; the retry takes that chunk's rows one at a time, rejects the row with its
/// line, stores every other row once, and the import completes instead of failing at the same place until given up.
/// </summary>
public abstract class PoisonRowTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);

    [Fact]
    public async Task A_row_the_database_refuses_is_rejected_with_its_line_and_the_rest_is_stored_once()
    {
        await RefuseCommentsStartingWithPoisonAsync();
        var source = FeedbackBuilder.NewSource();
        var rows = Enumerable.Range(1, 7).Select(i => FeedbackBuilder.Item(source, externalId: $"r{i}", comment: i == 4 ? "poison-" + source : $"Comment {i}").ToJsonString());

        var location = await ImportApi.StartAsync(_ingest, ImportApi.Body(string.Join("\n", rows) + "\n", "application/x-ndjson"));
        var import = await ImportApi.WaitAsync(_ingest, location);

        ImportApi.AssertCounts(import, rowsRead: 7, accepted: 6, duplicates: 0, conflicts: 0, rejected: 1);
        var error = Assert.Single(ImportApi.Errors(import));
        Assert.Equal((4L, "rejected"), (error.Line, error.Outcome));
        Assert.Contains("could not be stored", error.Reason);
        Assert.DoesNotContain("Exception", import.GetProperty("lastError").GetString() ?? "");
        Assert.DoesNotContain("poison row", import.GetRawText());
        var stored = await ImportApi.FeedbackAsync(factory.Client(ApiFactory.AdminKey), source);
        Assert.Equal(["r1", "r2", "r3", "r5", "r6", "r7"], stored.Select(i => i.GetProperty("externalId").GetString()).Order());
    }

    private async Task RefuseCommentsStartingWithPoisonAsync()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ClosedLoop.Api.Platform.Data.PlatformDbContext>();
        if (factory.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync(
                "CREATE TRIGGER IF NOT EXISTS poison_rows BEFORE INSERT ON feedback_items WHEN NEW.Comment LIKE 'poison-%' BEGIN SELECT RAISE(ABORT, 'poison row'); END;");
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("""
                CREATE OR REPLACE FUNCTION feedback.poison() RETURNS trigger AS $$
                BEGIN IF NEW."Comment" LIKE 'poison-%' THEN RAISE EXCEPTION 'poison row'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
                DROP TRIGGER IF EXISTS poison_rows ON feedback.items;
                CREATE TRIGGER poison_rows BEFORE INSERT ON feedback.items FOR EACH ROW EXECUTE FUNCTION feedback.poison();
                """);
        }
    }
}

public sealed class SqlitePoisonRowTests(SqliteApiFactory factory) : PoisonRowTests<SqliteApiFactory>(factory);

public sealed class PostgresPoisonRowTests(PostgresApiFactory factory) : PoisonRowTests<PostgresApiFactory>(factory);
