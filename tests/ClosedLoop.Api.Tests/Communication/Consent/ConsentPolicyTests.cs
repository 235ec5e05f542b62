using System.Net;
using System.Net.Http.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Feedback.Contracts;

namespace ClosedLoop.Api.Tests.Communication.Consent;

/// <summary>
/// The consent policy the message composer asks before writing a customer message: erased, no address, no consent
/// for the purpose, and the marketing frequency cap (3 per 7 days by default), which counts only marketing messages
/// that were not suppressed, only within the window, and also those added to the same context but not yet saved.
/// </summary>
public abstract class ConsentPolicyTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task Each_obstacle_is_named_and_internal_messages_pass_regardless()
    {
        var reachable = await TestCustomers.CreateAsync(_admin);
        var erased = await TestCustomers.CreateAsync(_admin);
        var withoutEmail = await TestCustomers.CreateAsync(_admin, withEmail: false);
        var optedOut = await TestCustomers.CreateAsync(_admin);
        var noTransactional = await TestCustomers.CreateAsync(_admin);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{erased}")).StatusCode);
        (await _admin.PutAsJsonAsync($"/api/v1/customers/{optedOut}/consent", new { marketing = false })).EnsureSuccessStatusCode();
        (await _admin.PutAsJsonAsync($"/api/v1/customers/{noTransactional}/consent", new { transactional = false })).EnsureSuccessStatusCode();

        using var scope = factory.Services.CreateScope();
        var contacts = await ContactsAsync(scope.ServiceProvider, reachable, erased, withoutEmail, optedOut, noTransactional);
        Assert.True(contacts[erased].Erased);
        var db = CommunicationInternals.Database(scope.ServiceProvider);
        var now = DateTimeOffset.UtcNow;
        async Task<string?> ReasonAsync(Guid customer, string purpose) =>
            await CommunicationInternals.SuppressionReasonAsync(scope.ServiceProvider, db, contacts[customer], purpose, now);

        Assert.Null(await ReasonAsync(reachable, "Marketing"));
        Assert.Null(await ReasonAsync(reachable, "Transactional"));
        Assert.Equal("customer-erased", await ReasonAsync(erased, "Transactional"));
        Assert.Equal("no-address", await ReasonAsync(withoutEmail, "Marketing"));
        Assert.Equal("no-consent:marketing", await ReasonAsync(optedOut, "Marketing"));
        Assert.Null(await ReasonAsync(optedOut, "Transactional"));
        Assert.Equal("no-consent:transactional", await ReasonAsync(noTransactional, "Transactional"));
        Assert.Null(await ReasonAsync(noTransactional, "Marketing"));
        foreach (var customer in contacts.Keys)
        {
            Assert.Null(await ReasonAsync(customer, "Internal"));
        }
    }

    [Fact]
    public async Task The_frequency_cap_counts_only_unsuppressed_marketing_in_the_window_including_unsaved_messages()
    {
        var capped = await TestCustomers.CreateAsync(_admin);
        var other = await TestCustomers.CreateAsync(_admin);
        var now = DateTimeOffset.UtcNow;
        using (var seed = factory.Services.CreateScope())
        {
            var db = CommunicationInternals.Database(seed.ServiceProvider);
            CommunicationInternals.AddMessage(db, capped, "Marketing", "Sent", now.AddDays(-6));
            CommunicationInternals.AddMessage(db, capped, "Marketing", "Pending", now.AddHours(-1));
            CommunicationInternals.AddMessage(db, capped, "Marketing", "Sent", now.AddDays(-8));
            CommunicationInternals.AddMessage(db, capped, "Marketing", "Suppressed", now.AddDays(-1));
            CommunicationInternals.AddMessage(db, capped, "Transactional", "Sent", now.AddDays(-1));
            CommunicationInternals.AddMessage(db, capped, "Transactional", "Sent", now.AddDays(-2));
            CommunicationInternals.AddMessage(db, other, "Marketing", "Sent", now.AddDays(-1));
            CommunicationInternals.AddMessage(db, other, "Marketing", "Sent", now.AddDays(-2));
            await db.SaveChangesAsync();
        }

        using var scope = factory.Services.CreateScope();
        var compose = CommunicationInternals.Database(scope.ServiceProvider);
        var contacts = await ContactsAsync(scope.ServiceProvider, capped, other);

        Assert.Null(await CommunicationInternals.SuppressionReasonAsync(scope.ServiceProvider, compose, contacts[capped], "Marketing", now));

        CommunicationInternals.AddMessage(compose, capped, "Marketing", "Pending", now);
        Assert.Equal("frequency-cap", await CommunicationInternals.SuppressionReasonAsync(scope.ServiceProvider, compose, contacts[capped], "Marketing", now));
        Assert.Null(await CommunicationInternals.SuppressionReasonAsync(scope.ServiceProvider, compose, contacts[capped], "Transactional", now));

        // Six and a half days on, the message of six days ago has left the window.
        Assert.Null(await CommunicationInternals.SuppressionReasonAsync(scope.ServiceProvider, compose, contacts[capped], "Marketing", now.AddDays(6.5)));
    }

    [Fact]
    public async Task A_batch_gets_every_customer_s_reason()
    {
        var capped = await TestCustomers.CreateAsync(_admin);
        var free = await TestCustomers.CreateAsync(_admin);
        var optedOut = await TestCustomers.CreateAsync(_admin);
        var erased = await TestCustomers.CreateAsync(_admin);
        (await _admin.PutAsJsonAsync($"/api/v1/customers/{optedOut}/consent", new { marketing = false })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{erased}")).StatusCode);
        var now = DateTimeOffset.UtcNow;

        using var scope = factory.Services.CreateScope();
        var db = CommunicationInternals.Database(scope.ServiceProvider);
        for (var i = 0; i < 3; i++)
        {
            CommunicationInternals.AddMessage(db, capped, "Marketing", "Sent", now.AddDays(-i));
        }

        await db.SaveChangesAsync();
        var contacts = await ContactsAsync(scope.ServiceProvider, capped, free, optedOut, erased);

        var reasons = await CommunicationInternals.SuppressionReasonsAsync(scope.ServiceProvider, db, [.. contacts.Values], "Marketing", now);

        Assert.Equal(4, reasons.Count);
        Assert.Equal(("frequency-cap", null, "no-consent:marketing", "customer-erased"), (reasons[capped], reasons[free], reasons[optedOut], reasons[erased]));
    }

    private static async Task<Dictionary<Guid, CustomerContact>> ContactsAsync(IServiceProvider scope, params Guid[] ids)
    {
        var found = await scope.GetRequiredService<ICustomerDirectory>().FindManyAsync(ids);
        Assert.Equal(ids.Length, found.Count);
        return found.ToDictionary(c => c.Id);
    }
}

public sealed class SqliteConsentPolicyTests(SqliteApiFactory factory) : ConsentPolicyTests<SqliteApiFactory>(factory);

public sealed class PostgresConsentPolicyTests(PostgresApiFactory factory) : ConsentPolicyTests<PostgresApiFactory>(factory);
