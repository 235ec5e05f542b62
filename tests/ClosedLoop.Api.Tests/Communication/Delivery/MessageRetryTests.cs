using System.Net;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication.Delivery;

/// <summary>
/// <c>POST /api/v1/messages/{id}/retry</c>: a dead-lettered or retrying message goes back to pending with its attempts
/// kept; other states are 409 saying which allow it; unknown is 404; admin only. No SMTP relay is configured here, so
/// a retried email stays pending and the test sees exactly what the route did.
/// </summary>
public abstract class MessageRetryTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Theory]
    [InlineData("DeadLettered")]
    [InlineData("Retrying")]
    public async Task A_failed_message_goes_back_to_pending_with_its_attempts_kept(string status)
    {
        var id = await MessageRows.InsertEmailAsync(factory, status, attempts: 8);

        var response = await _admin.PostAsync($"/api/v1/messages/{id}/retry", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("pending", 8), (body.GetProperty("status").GetString(), body.GetProperty("attempts").GetInt32()));
        Assert.Equal(("Pending", 8), await MessageRows.ReadAsync(factory, id));
        var audit = await _admin.GetStringAsync("/api/v1/audit?action=message.retried&pageSize=500");
        Assert.Contains(id.ToString(), audit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sent")]
    [InlineData("Suppressed")]
    [InlineData("Pending")]
    public async Task Other_states_are_409_naming_the_states_that_allow_a_retry(string status)
    {
        var id = await MessageRows.InsertEmailAsync(factory, status);

        var problem = await (await _admin.PostAsync($"/api/v1/messages/{id}/retry", null)).AssertProblemAsync(HttpStatusCode.Conflict);

        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("deadLettered or retrying", detail, StringComparison.Ordinal);
        Assert.Contains(JsonNamingPolicy.CamelCase.ConvertName(status), detail, StringComparison.Ordinal);
        Assert.Equal((status, 0), await MessageRows.ReadAsync(factory, id));
    }

    [Fact]
    public async Task An_unknown_message_is_404_and_only_admins_retry()
    {
        await (await _admin.PostAsync($"/api/v1/messages/{Guid.NewGuid()}/retry", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        var id = await MessageRows.InsertEmailAsync(factory, "DeadLettered", attempts: 3);
        await (await factory.Client(ApiFactory.AgentKey).PostAsync($"/api/v1/messages/{id}/retry", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await factory.Client(null).PostAsync($"/api/v1/messages/{id}/retry", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}

public sealed class SqliteMessageRetryTests(SqliteApiFactory factory) : MessageRetryTests<SqliteApiFactory>(factory);

public sealed class PostgresMessageRetryTests(PostgresApiFactory factory) : MessageRetryTests<PostgresApiFactory>(factory);
