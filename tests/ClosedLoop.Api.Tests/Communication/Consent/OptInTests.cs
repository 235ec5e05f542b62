using System.Net.Http.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Feedback.Contracts;

namespace ClosedLoop.Api.Tests.Communication.Consent;

/// <summary>An opt-in installation (<c>MarketingByDefault</c> false): marketing reaches only customers recorded as consenting.</summary>
public sealed class OptInTests(OptInTests.OptInFactory factory) : IClassFixture<OptInTests.OptInFactory>
{
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task Marketing_waits_for_a_recorded_yes()
    {
        var customer = await TestCustomers.CreateAsync(_admin);
        var consent = await TestCustomers.ConsentAsync(_admin, customer);
        Assert.Equal((true, false, "default"), (consent.GetProperty("transactional").GetBoolean(), consent.GetProperty("marketing").GetBoolean(), consent.GetProperty("source").GetString()));
        Assert.Equal("no-consent:marketing", await ReasonAsync(customer));

        (await _admin.PutAsJsonAsync($"/api/v1/customers/{customer}/consent", new { marketing = true })).EnsureSuccessStatusCode();

        Assert.Null(await ReasonAsync(customer));
    }

    private async Task<string?> ReasonAsync(Guid customer)
    {
        using var scope = factory.Services.CreateScope();
        var contact = await scope.ServiceProvider.GetRequiredService<ICustomerDirectory>().FindAsync(customer);
        var db = CommunicationInternals.Database(scope.ServiceProvider);
        return await CommunicationInternals.SuppressionReasonAsync(scope.ServiceProvider, db, contact!, "Marketing", DateTimeOffset.UtcNow);
    }

    public sealed class OptInFactory : SqliteApiFactory
    {
        protected override void Configure(IDictionary<string, string?> settings) => settings["Communication:Consent:MarketingByDefault"] = "false";
    }
}
