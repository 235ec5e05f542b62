using System.Net;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests;

/// <summary>A page far past the end is an empty page, not an overflow into a negative OFFSET (found by the fuzz test).</summary>
public abstract class PagingTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Theory]
    [InlineData("/api/v1/api-keys")]
    [InlineData("/api/v1/audit")]
    [InlineData("/api/v1/rule-sets")]
    [InlineData("/api/v1/rule-sets/routing/versions")]
    [InlineData("/api/v1/rule-incidents")]
    public async Task The_last_possible_page_is_empty(string list)
    {
        var response = await factory.Client(ApiFactory.AdminKey).GetAsync($"{list}?page={int.MaxValue}&pageSize=500");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Empty(page.GetProperty("items").EnumerateArray());
        Assert.Equal(int.MaxValue, page.GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task The_last_possible_page_of_an_imports_errors_is_empty()
    {
        var ingest = factory.Client(ApiFactory.IngestKey);
        var location = await Imports.ImportApi.StartAsync(ingest, Imports.ImportApi.Body("externalId,score,customerExternalId\nr1,eleven,c1\n", "text/csv"));
        await Imports.ImportApi.WaitAsync(ingest, location);

        var import = await Imports.ImportApi.GetAsync(ingest, $"{location}?errorsPage={int.MaxValue}&errorsPageSize=500");

        Assert.Empty(import.GetProperty("errors").GetProperty("items").EnumerateArray());
    }
}

public sealed class SqlitePagingTests(SqliteApiFactory factory) : PagingTests<SqliteApiFactory>(factory);

public sealed class PostgresPagingTests(PostgresApiFactory factory) : PagingTests<PostgresApiFactory>(factory);
