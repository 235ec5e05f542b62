using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using ClosedLoop.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClosedLoop.Api.Tests;

public sealed class JwtFactory : SqliteApiFactory
{
    public const string Issuer = "https://idp.example.test";
    public const string Audience = "closedloop";

    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    public string Token(IEnumerable<string> roles, byte[]? key = null, DateTime? expires = null, string audience = Audience)
    {
        var claims = new List<Claim> { new("sub", "user-17"), new("name", "Grace Hopper") };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Auth:Jwt:SigningKey"] = Convert.ToBase64String(SigningKey);
        settings["Auth:Jwt:Issuer"] = Issuer;
        settings["Auth:Jwt:Audience"] = Audience;
    }
}

/// <summary>Optional JWT bearer: role claims map to our roles; bad tokens are 401 problems.</summary>
public sealed class JwtTests(JwtFactory factory) : IClassFixture<JwtFactory>
{
    [Fact]
    public async Task A_token_with_the_admin_role_may_administer_and_is_audited_by_subject()
    {
        var client = Bearer(factory.Token(["admin", "something-else"]));

        var created = await client.PostAsync("/api/v1/api-keys", System.Net.Http.Json.JsonContent.Create(new { name = "from jwt", role = "agent" }));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audit = await client.GetStringAsync("/api/v1/audit?actor=user-17");
        Assert.Contains("Grace Hopper", audit);
        Assert.Contains("\"actorRole\":\"admin\"", audit);
    }

    [Fact]
    public async Task A_token_without_the_role_is_403()
    {
        await (await Bearer(factory.Token(["agent"])).GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Forged_expired_or_foreign_tokens_are_401()
    {
        await (await Bearer(factory.Token(["admin"], key: RandomNumberGenerator.GetBytes(32))).GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await Bearer(factory.Token(["admin"], expires: DateTime.UtcNow.AddHours(-1))).GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await Bearer(factory.Token(["admin"], audience: "someone-else")).GetAsync("/api/v1/audit")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Swagger_offers_the_bearer_scheme_when_jwt_is_configured()
    {
        var document = await factory.Client(null).GetStringAsync("/swagger/v1/swagger.json");

        Assert.Contains("\"bearerFormat\": \"JWT\"", document);
    }

    private HttpClient Bearer(string token)
    {
        var client = factory.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

public sealed class TightRateLimitFactory : SqliteApiFactory
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["RateLimiting:PerCaller:PermitsPerSecond"] = "1";
        settings["RateLimiting:PerCaller:Burst"] = "3";
    }
}

public sealed class RateLimitTests(TightRateLimitFactory factory) : IClassFixture<TightRateLimitFactory>
{
    [Fact]
    public async Task A_caller_over_its_limit_gets_429_problem_with_retry_after_while_health_is_unaffected()
    {
        var client = factory.Client(ApiFactory.AnalystKey);
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await client.GetAsync("/api/v1/audit"));
        }

        var limited = statuses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.StartsWith("https://", problem.GetProperty("type").GetString());
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains(statuses, r => r.StatusCode == HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await factory.Client(null).GetAsync("/alive")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.Client(ApiFactory.AdminKey).GetAsync("/api/v1/audit")).StatusCode);
    }
}

public sealed class RateLimitingOffFactory : SqliteApiFactory
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["RateLimiting:Enabled"] = "false";
}

public sealed class RateLimitingOffTests(RateLimitingOffFactory factory) : IClassFixture<RateLimitingOffFactory>
{
    [Fact]
    public async Task With_rate_limiting_off_the_ingest_routes_still_work()
    {
        var response = await factory.Client(ApiFactory.IngestKey).PostAsJsonAsync("/api/v1/feedback", new
        {
            source = "survey",
            externalId = "rl-off-1",
            channel = "email",
            score = 9,
            customer = new { externalId = "rl-off-customer" },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
