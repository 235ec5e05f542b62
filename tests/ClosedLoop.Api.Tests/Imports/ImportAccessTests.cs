using System.Net;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Imports;

/// <summary>An import's status (counts, rejected rows and why) is read by the key that started it and by admins; any other key gets 404.</summary>
public abstract class ImportAccessTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Fact]
    public async Task Only_the_key_that_started_an_import_and_admins_read_its_status()
    {
        var starter = factory.Client(await factory.CreateKeyAsync("ingest"));
        var stranger = factory.Client(await factory.CreateKeyAsync("ingest"));
        var csv = new CsvBuilder("externalId,score,comment,customerId");
        csv.Row("a1,9,Quick and friendly.,c-a1");
        csv.Row("a2,eleven,Not a score.,c-a2");
        var location = await ImportApi.StartAsync(starter, ImportApi.Body(csv.ToString(finalNewline: true), "text/csv"), $"?source={FeedbackBuilder.NewSource()}");
        var done = await ImportApi.WaitAsync(starter, location);
        ImportApi.AssertCounts(done, rowsRead: 2, accepted: 1, duplicates: 0, conflicts: 0, rejected: 1);

        await (await stranger.GetAsync(location)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.GetAsync(location + "?errorsPage=1&errorsPageSize=10")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await factory.Client(ApiFactory.IngestKey).GetAsync(location)).AssertProblemAsync(HttpStatusCode.NotFound);
        var asAdmin = await ImportApi.GetAsync(factory.Client(ApiFactory.AdminKey), location);
        Assert.Equal(done.GetProperty("id").GetGuid(), asAdmin.GetProperty("id").GetGuid());
        Assert.Equal(2, (await ImportApi.GetAsync(starter, location)).GetProperty("rowsRead").GetInt64());
    }
}

public sealed class SqliteImportAccessTests(SqliteApiFactory factory) : ImportAccessTests<SqliteApiFactory>(factory);

public sealed class PostgresImportAccessTests(PostgresApiFactory factory) : ImportAccessTests<PostgresApiFactory>(factory);
