using System.Reflection;
using ClosedLoop.Communication;
using ClosedLoop.Feedback.Contracts;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Tests.Communication.Consent;

/// <summary>
/// The Communication module's internal services (unsubscribe links, the consent policy, its DbContext), reached by
/// name. The architecture rule shows a module's internals only to its own tests, while these tests need the real host
/// on both databases; reflection keeps that rule intact, and every name is checked on first use, so a rename fails
/// here loudly rather than passing silently.
/// </summary>
internal static class CommunicationInternals
{
    private static readonly Assembly Module = typeof(CommunicationModule).Assembly;

    /// <summary>A signed link for <paramref name="customerId"/> as a message would carry it.</summary>
    public static string UnsubscribeUrl(IServiceProvider services, Guid customerId, DateTimeOffset now) =>
        (string)Invoke(Links(services), "CreateUrl", customerId, now);

    /// <summary>A signed token expiring at <paramref name="expiresAt"/> (in the past for an expired link).</summary>
    public static string UnsubscribeToken(IServiceProvider services, Guid customerId, DateTimeOffset expiresAt) =>
        (string)Invoke(Links(services), "CreateToken", customerId, expiresAt);

    /// <summary>The module's DbContext in <paramref name="scope"/>.</summary>
    public static DbContext Database(IServiceProvider scope) => (DbContext)scope.GetRequiredService(TypeOf("Data.CommunicationDbContext"));

    /// <summary>Adds (does not save) a customer email as the composer would write it.</summary>
    public static void AddMessage(DbContext db, Guid customerId, string purpose, string status, DateTimeOffset createdAt)
    {
        var message = Activator.CreateInstance(TypeOf("Data.MessageRecord"))!;
        var id = Guid.CreateVersion7();
        Set(message, "Id", id);
        Set(message, "DedupKey", $"test:{id:N}");
        Set(message, "Channel", Enum.Parse(TypeOf("Data.MessageChannel"), "Email"));
        Set(message, "Purpose", Enum.Parse(TypeOf("Data.MessagePurpose"), purpose));
        Set(message, "Status", Enum.Parse(TypeOf("Data.MessageStatus"), status));
        Set(message, "TemplateKey", "improvement-announcement");
        Set(message, "Language", "en");
        Set(message, "CustomerId", (Guid?)customerId);
        Set(message, "ExternalId", $"<{id:N}@test>");
        Set(message, "CreatedAt", createdAt);
        Set(message, "NextAttemptAt", createdAt);
        Set(message, "CreatedBy", "test");
        db.Add(message);
    }

    /// <summary>ConsentPolicy.SuppressionReasonAsync, with the purpose by name (Transactional, Marketing, Internal).</summary>
    public static Task<string?> SuppressionReasonAsync(IServiceProvider scope, DbContext db, CustomerContact customer, string purpose, DateTimeOffset now) =>
        (Task<string?>)Invoke(Policy(scope), "SuppressionReasonAsync", db, customer, Purpose(purpose), now, CancellationToken.None);

    /// <summary>ConsentPolicy.SuppressionReasonsAsync for a batch.</summary>
    public static Task<IReadOnlyDictionary<Guid, string?>> SuppressionReasonsAsync(
        IServiceProvider scope, DbContext db, IReadOnlyList<CustomerContact> customers, string purpose, DateTimeOffset now) =>
        (Task<IReadOnlyDictionary<Guid, string?>>)Invoke(Policy(scope), "SuppressionReasonsAsync", db, customers, Purpose(purpose), now, CancellationToken.None);

    private static object Links(IServiceProvider services) => services.GetRequiredService(TypeOf("Features.Consent.UnsubscribeLinks"));

    private static object Policy(IServiceProvider services) => services.GetRequiredService(TypeOf("Features.Consent.ConsentPolicy"));

    private static object Purpose(string name) => Enum.Parse(TypeOf("Data.MessagePurpose"), name);

    private static Type TypeOf(string name) => Module.GetType("ClosedLoop.Communication." + name, throwOnError: true)!;

    private static object Invoke(object target, string method, params object?[] arguments)
    {
        var found = target.GetType().GetMethod(method, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new MissingMethodException(target.GetType().FullName, method);
        return found.Invoke(target, arguments)!;
    }

    private static void Set(object target, string property, object? value) =>
        (target.GetType().GetProperty(property) ?? throw new MissingMemberException(target.GetType().FullName, property)).SetValue(target, value);
}
