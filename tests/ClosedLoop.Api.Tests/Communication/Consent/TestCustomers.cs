using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication.Consent;

/// <summary>Customers made the way production makes them: by their first feedback.</summary>
internal static class TestCustomers
{
    /// <summary>A new customer (with an e-mail address unless <paramref name="withEmail"/> is false); its id.</summary>
    public static async Task<Guid> CreateAsync(HttpClient admin, bool withEmail = true)
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), customer: "c-" + Guid.NewGuid().ToString("N")[..12]);
        var feedbackId = await admin.CreateAsync(withEmail ? item : item.Without("customer.email"));
        var feedback = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{feedbackId}");
        return feedback.GetProperty("customer").GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> ConsentAsync(HttpClient admin, Guid customerId) =>
        await admin.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/consent");
}
