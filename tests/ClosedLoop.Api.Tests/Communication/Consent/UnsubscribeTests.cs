using System.Net;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication.Consent;

/// <summary>
/// <c>GET/POST /u/{token}</c>: a genuine link withdraws marketing consent without login (idempotently, by GET or
/// RFC 8058 one-click POST) and answers a self-contained page; expired and forged links get a page that says so; an
/// erased customer's link answers the same page and stores nothing.
/// </summary>
public abstract class UnsubscribeTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    /// <summary>A browser: no API key, asks for HTML first.</summary>
    private readonly HttpClient _browser = Browser(factory);

    /// <summary>A mail client or script: no API key, takes anything.</summary>
    private readonly HttpClient _program = factory.CreateClient();

    [Fact]
    public async Task Opening_the_link_withdraws_marketing_consent_once_and_answers_a_self_contained_page()
    {
        var customer = await TestCustomers.CreateAsync(_admin);
        var url = CommunicationInternals.UnsubscribeUrl(factory.Services, customer, DateTimeOffset.UtcNow);
        Assert.StartsWith("http://localhost:5080/u/", url, StringComparison.Ordinal);

        var response = await _browser.GetAsync(new Uri(url).PathAndQuery);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>You are unsubscribed</h1>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", page, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", page, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var consent = await TestCustomers.ConsentAsync(_admin, customer);
        Assert.Equal((true, false, "recorded", "unsubscribe-link"), (
            consent.GetProperty("transactional").GetBoolean(), consent.GetProperty("marketing").GetBoolean(),
            consent.GetProperty("source").GetString(), consent.GetProperty("updatedBy").GetString()));

        var again = await _browser.GetAsync(new Uri(url).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(consent.GetRawText(), (await TestCustomers.ConsentAsync(_admin, customer)).GetRawText());
    }

    [Fact]
    public async Task A_one_click_post_from_a_mail_client_unsubscribes_too()
    {
        var customer = await TestCustomers.CreateAsync(_admin);
        var path = new Uri(CommunicationInternals.UnsubscribeUrl(factory.Services, customer, DateTimeOffset.UtcNow)).PathAndQuery;

        var response = await _program.PostAsync(path, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You are unsubscribed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False((await TestCustomers.ConsentAsync(_admin, customer)).GetProperty("marketing").GetBoolean());
    }

    [Fact]
    public async Task The_page_is_german_for_a_browser_that_prefers_german()
    {
        var customer = await TestCustomers.CreateAsync(_admin);
        var path = new Uri(CommunicationInternals.UnsubscribeUrl(factory.Services, customer, DateTimeOffset.UtcNow)).PathAndQuery;
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptLanguage.ParseAdd("fr;q=0.9, de-AT;q=0.8, en;q=0.5");

        var response = await _browser.SendAsync(request);

        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"de\">", page, StringComparison.Ordinal);
        Assert.Contains("Sie sind abgemeldet", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_link_is_410_and_a_forged_one_400_each_with_a_page_that_says_so_and_nothing_changes()
    {
        var customer = await TestCustomers.CreateAsync(_admin);
        var expired = CommunicationInternals.UnsubscribeToken(factory.Services, customer, DateTimeOffset.UtcNow.AddMinutes(-1));
        var genuine = CommunicationInternals.UnsubscribeToken(factory.Services, customer, DateTimeOffset.UtcNow.AddDays(1));
        var forged = genuine[..^2] + (genuine[^2] == 'A' ? "B" : "A") + genuine[^1];

        var gone = await _browser.GetAsync($"/u/{expired}");
        var bad = await _browser.GetAsync($"/u/{forged}");
        var junk = await _browser.GetAsync("/u/%3Cscript%3Ealert(1)%3C%2Fscript%3E");

        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("This link has expired", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var refused in new[] { bad, junk })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
            var page = await refused.Content.ReadAsStringAsync();
            Assert.Contains("This link is not valid", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Exception", page, StringComparison.Ordinal);
        }

        Assert.Equal("default", (await TestCustomers.ConsentAsync(_admin, customer)).GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_program_that_does_not_ask_for_html_gets_problems_for_refused_links()
    {
        var customer = await TestCustomers.CreateAsync(_admin);
        var expired = CommunicationInternals.UnsubscribeToken(factory.Services, customer, DateTimeOffset.UtcNow.AddMinutes(-1));
        var oneClick = new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]);

        var gone = await (await _program.PostAsync($"/u/{expired}", oneClick)).AssertProblemAsync(HttpStatusCode.Gone);
        var bad = await (await _program.PostAsync("/u/not-a-token", oneClick)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(("link-expired", "link-invalid"), (gone.GetProperty("code").GetString(), bad.GetProperty("code").GetString()));
        Assert.Equal("default", (await TestCustomers.ConsentAsync(_admin, customer)).GetProperty("source").GetString());
    }

    [Fact]
    public async Task An_erased_customer_s_link_answers_the_same_page_and_stores_nothing()
    {
        var customer = await TestCustomers.CreateAsync(_admin);
        var path = new Uri(CommunicationInternals.UnsubscribeUrl(factory.Services, customer, DateTimeOffset.UtcNow)).PathAndQuery;
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{customer}")).StatusCode);

        var response = await _browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You are unsubscribed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("default", (await TestCustomers.ConsentAsync(_admin, customer)).GetProperty("source").GetString());
    }

    private static HttpClient Browser(TFactory factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        return client;
    }
}

public sealed class SqliteUnsubscribeTests(SqliteApiFactory factory) : UnsubscribeTests<SqliteApiFactory>(factory);

public sealed class PostgresUnsubscribeTests(PostgresApiFactory factory) : UnsubscribeTests<PostgresApiFactory>(factory);
