using ClosedLoop.Cases.Domain;

namespace ClosedLoop.Cases.Features.Seeding;

/// <summary>
/// What a new installation starts with: the teams the default rule sets in <c>rules/</c> route to (and <c>triage</c>,
/// the fallback route's team), and a root-cause taxonomy for a generic company. Admins change them through the API.
/// </summary>
internal static class CaseDefaults
{
    private static readonly string Weekdays9To5 = """
        [{"day":"monday","open":"09:00","close":"17:00"},{"day":"tuesday","open":"09:00","close":"17:00"},{"day":"wednesday","open":"09:00","close":"17:00"},
         {"day":"thursday","open":"09:00","close":"17:00"},{"day":"friday","open":"09:00","close":"17:00"}]
        """;

    private static readonly string Weekdays8To18 = Weekdays9To5.Replace("09:00", "08:00", StringComparison.Ordinal).Replace("17:00", "18:00", StringComparison.Ordinal);

    public static IReadOnlyList<(string Key, string Name, string TimeZone, string Hours)> Teams { get; } =
    [
        ("triage", "Triage (items the rules could not route)", "UTC", "[]"),
        ("cx-global", "Customer care, global", "UTC", "[]"),
        ("cx-emea", "Customer care EMEA", "Europe/London", Weekdays8To18),
        ("cx-north-america", "Customer care North America", "America/New_York", Weekdays8To18),
        ("cx-latam", "Customer care Latin America", "America/Sao_Paulo", Weekdays9To5),
        ("cx-apac", "Customer care APAC", "Asia/Singapore", Weekdays9To5),
        ("billing-specialists", "Billing specialists", "Europe/London", Weekdays9To5),
    ];

    public static IReadOnlyList<RootCause> RootCauses() =>
    [
        new() { Key = "product-defect", Name = "Product defect", Description = "The product did not work as designed." },
        new() { Key = "delivery-carrier", Name = "Delivery or carrier issue", Description = "Late, lost or damaged deliveries." },
        new() { Key = "billing-error", Name = "Billing error", Description = "Wrong charge, double charge, refund not processed." },
        new() { Key = "process-gap", Name = "Process gap", Description = "Our own process failed or does not cover the case." },
        new() { Key = "support-experience", Name = "Support experience", Description = "Slow, unhelpful or unfriendly support." },
        new() { Key = "communication", Name = "Communication", Description = "The customer was not told, or told wrongly." },
        new() { Key = "pricing-policy", Name = "Pricing or policy", Description = "Working as intended, but the price or policy disappoints." },
        new() { Key = "usability", Name = "Usability", Description = "Hard to find or hard to use." },
        new() { Key = "expectation-mismatch", Name = "Expectation mismatch", Description = "What was promised or expected differs from what we offer." },
        new() { Key = "no-fault-found", Name = "No fault found", Description = "Nothing to fix on our side." },
        new() { Key = "other", Name = "Other", Description = "None of the above; say what in the resolution note." },
    ];
}
