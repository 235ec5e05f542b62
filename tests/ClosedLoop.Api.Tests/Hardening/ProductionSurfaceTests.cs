using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ClosedLoop.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClosedLoop.Api.Tests.Hardening;

public class ProductionJwtSqliteFactory : ProductionSqliteFactory
{
    public const string Issuer = "https://idp.internal.example.test/realm-7";
    public const string Audience = "closedloop-prod";

    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Auth:Jwt:SigningKey"] = Convert.ToBase64String(SigningKey);
        settings["Auth:Jwt:Issuer"] = Issuer;
        settings["Auth:Jwt:Audience"] = Audience;
    }
}

public sealed class ProductionJwtPostgresFactory : ProductionPostgresFactory
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Auth:Jwt:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        settings["Auth:Jwt:Issuer"] = ProductionJwtSqliteFactory.Issuer;
        settings["Auth:Jwt:Audience"] = ProductionJwtSqliteFactory.Audience;
    }
}

public sealed class ProductionSwaggerOnFactory : ProductionSqliteFactory
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Swagger:Enabled"] = "true";
}

/// <summary>
/// What a caller of a production instance learns from its answers: nothing of the token validator's reasons, our types
/// or the development keys; no API document unless enabled; headers that keep answers out of caches and sniffers;
/// problems for oversized request lines and headers.
/// </summary>
public abstract class ProductionSurfaceTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Fact]
    public async Task A_rejected_token_gets_a_generic_401_that_names_no_issuer_audience_or_key()
    {
        var foreignKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "kid-7f3a9c" };
        foreach (var (issuer, audience) in new[] { ("https://attacker.example.test", ProductionJwtSqliteFactory.Audience), (ProductionJwtSqliteFactory.Issuer, "other") })
        {
            var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuer,
                Audience = audience,
                Subject = new ClaimsIdentity([new Claim("sub", "u1"), new Claim("roles", "admin")]),
                Expires = DateTime.UtcNow.AddHours(1),
                SigningCredentials = new SigningCredentials(foreignKey, SecurityAlgorithms.HmacSha256),
            });
            var client = factory.Client(null);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            var response = await client.GetAsync("/api/v1/audit");

            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            var said = problem.GetRawText() + string.Join(" ", response.Headers.WwwAuthenticate);
            foreach (var leak in new[] { "idp.internal", "realm-7", "attacker", "closedloop-prod", "kid-7f3a9c", "IDX", "Issuer", "signature" })
            {
                Assert.DoesNotContain(leak, said, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task The_api_document_and_swagger_ui_are_off_by_default()
    {
        var client = factory.Client(null);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/swagger/index.html")).StatusCode);
    }

    [Fact]
    public async Task Answers_carry_security_headers_and_the_server_names_itself_nowhere()
    {
        var admin = factory.Client(await factory.SeedKeyAsync("admin"));

        var created = await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "headers " + Guid.NewGuid().ToString("N"), role = "agent" });
        var unauthorized = await factory.Client(null).GetAsync("/api/v1/audit");
        var health = await factory.Client(null).GetAsync("/health");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        foreach (var response in new[] { created, unauthorized })
        {
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage!.RequestUri}: {response.Headers.CacheControl}");
            Assert.False(response.Headers.Contains("Server"));
        }

        Assert.Equal("nosniff", Assert.Single(health.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader);
    }

    [Fact]
    public async Task A_bad_body_in_production_names_fields_not_our_types()
    {
        var ingest = factory.Client(await factory.SeedKeyAsync("ingest"));
        foreach (var body in new[] { """{"source":"s","channel":"email","score":"nine","customer":{"externalId":"c"}}""", """{"source":"s","extra":1}""", "[1,2]", "" })
        {
            var response = await ingest.PostAsync("/api/v1/feedback", new StringContent(body, Encoding.UTF8, "application/json"));

            TextAndJsonTests<TFactory>.AssertNoTypeNames(await response.AssertProblemAsync(HttpStatusCode.BadRequest));
        }
    }

    [Fact]
    public async Task Oversized_request_lines_and_headers_are_problems()
    {
        var analyst = factory.Client(await factory.SeedKeyAsync("analyst"));

        var longUrl = await analyst.GetAsync("/api/v1/feedback?source=" + new string('s', 9_000));
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/feedback");
        request.Headers.Add("X-Padding", new string('h', 40_000));
        var bigHeaders = await analyst.SendAsync(request);

        await longUrl.AssertProblemAsync(HttpStatusCode.RequestUriTooLong);
        await bigHeaders.AssertProblemAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);
    }
}

public sealed class SqliteProductionSurfaceTests(ProductionJwtSqliteFactory factory) : ProductionSurfaceTests<ProductionJwtSqliteFactory>(factory);

public sealed class PostgresProductionSurfaceTests(ProductionJwtPostgresFactory factory) : ProductionSurfaceTests<ProductionJwtPostgresFactory>(factory);

/// <summary>Turned on in production, the API document still lists no development key.</summary>
public sealed class ProductionSwaggerTests(ProductionSwaggerOnFactory factory) : IClassFixture<ProductionSwaggerOnFactory>
{
    [Fact]
    public async Task Enabled_in_production_the_document_is_served_without_development_keys()
    {
        var document = await factory.Client(null).GetStringAsync("/swagger/v1/swagger.json");

        Assert.Contains("ClosedLoop API", document);
        Assert.DoesNotContain("dev-admin-key", document);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await factory.Client(null).GetAsync("/swagger/index.html")).StatusCode);
    }
}
