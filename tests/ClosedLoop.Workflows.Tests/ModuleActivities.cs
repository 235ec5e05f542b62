using ClosedLoop.Workflows.Definitions;

namespace ClosedLoop.Workflows.Tests;

/// <summary>What the Cases and Communication modules would register: the engine ships none of these.</summary>
internal static class ModuleActivities
{
    public static readonly string[] CaseEvents = ["acknowledged", "resolved", "customerReplied", "closed", "reopened"];

    public static IReadOnlyList<ActivityDescriptor> All { get; } =
    [
        new("WaitForCaseEvent", "Waits for a case event, or the timeout.",
            [
                new("event", InputType.Enum, true, "The event to wait for.", CaseEvents),
                new("timeout", InputType.TimeSpan, false, "Give up after this long (Timeout port)."),
            ], ["Done", "Timeout"], ActivityKind.Wait),
        new("SendMessage", "Sends a templated message to the customer.",
            [new("template", InputType.String, true, "Template key.", ReferenceKind: "template")], ["Done"], ActivityKind.Normal),
        new("AssignCase", "Assigns the case to a team.",
            [new("team", InputType.String, true, "Team key.", ReferenceKind: "team")], ["Done"], ActivityKind.Normal),
        new("EscalateCase", "Escalates the case.",
            [
                new("team", InputType.String, true, "Team key.", ReferenceKind: "team"),
                new("reason", InputType.String, false, "Why."),
            ], ["Done"], ActivityKind.Normal),
        new("SetCaseStatus", "Sets the case status.",
            [new("status", InputType.Enum, true, "New status.", ["Open", "Acknowledged", "Resolved", "Closed"])], ["Done"], ActivityKind.Normal),
        new("SendSurvey", "Sends the follow-up survey.",
            [new("template", InputType.String, false, "Template key.", ReferenceKind: "template")], ["Done"], ActivityKind.Normal),
        new("CallWebhook", "Calls an outbound webhook.",
            [
                new("url", InputType.String, true, "Target URL."),
                new("payload", InputType.Any, false, "JSON body."),
                new("tags", InputType.StringList, false, "Tags sent along."),
            ], ["Done"], ActivityKind.Normal),
    ];

    public static ActivityCatalog Catalog()
    {
        var catalog = new ActivityCatalog();
        foreach (var d in BuiltInActivities.All.Concat(All))
        {
            catalog.Register(d);
        }

        return catalog;
    }

    public static IDefinitionReferenceCheck[] Checks() =>
    [
        new FakeCheck("template", "customer-acknowledgement", "survey-nps"),
        new FakeCheck("team", "tier-2", "billing"),
        new FakeCheck("rootCause", "late-delivery"),
    ];

    public static DefinitionValidator Validator() => new(Catalog(), Checks());
}

internal sealed class FakeCheck(string kind, params string[] values) : IDefinitionReferenceCheck
{
    public int Calls { get; private set; }

    public string Kind => kind;

    public Task<bool> ExistsAsync(string value, CancellationToken ct)
    {
        Calls++;
        return Task.FromResult(values.Contains(value, StringComparer.Ordinal));
    }
}
