namespace ClosedLoop.Bench.Workflows;

/// <summary>
/// The loops the bench publishes as new versions of <c>detractor-recovery</c>, the loop the default routing starts for
/// every detractor's case: the measured five steps, the Start → End baseline, and the loop whose wait the latency
/// measurement resumes.
/// </summary>
internal static class Loops
{
    public const string DefinitionId = "detractor-recovery";

    /// <summary>Start → SendMessage (customer-acknowledgement) → Delay 00:00:00 → SetVariable → End.</summary>
    public const string FiveSteps = """
        {
          "name": "Bench: five steps",
          "description": "Acknowledge, a zero-delay timer, a variable, end.",
          "variables": [ { "name": "note", "type": "String", "value": "" } ],
          "root": { "type": "Flowchart",
            "activities": [
              { "id": "start", "type": "Start" },
              { "id": "acknowledge", "type": "SendMessage",
                "template": { "expression": { "type": "Literal", "value": "customer-acknowledgement" } },
                "to": { "expression": { "type": "Literal", "value": "customer" } } },
              { "id": "no-delay", "type": "Delay", "duration": { "expression": { "type": "Literal", "value": "00:00:00" } } },
              { "id": "note", "type": "SetVariable",
                "variable": { "expression": { "type": "Literal", "value": "note" } },
                "value": { "expression": { "type": "Literal", "value": "done" } } },
              { "id": "end", "type": "End" }
            ],
            "connections": [
              { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "acknowledge", "port": "In" } },
              { "source": { "activity": "acknowledge", "port": "Done" }, "target": { "activity": "no-delay", "port": "In" } },
              { "source": { "activity": "no-delay", "port": "Done" }, "target": { "activity": "note", "port": "In" } },
              { "source": { "activity": "note", "port": "Done" }, "target": { "activity": "end", "port": "In" } }
            ] } }
        """;

    /// <summary>The five steps with the Delay replaced by a second SetVariable: what the timer costs, by difference (<c>--attribution</c>).</summary>
    public static readonly string NoTimer = FiveSteps
        .Replace("\"name\": \"Bench: five steps\"", "\"name\": \"Bench: five steps, no timer\"", StringComparison.Ordinal)
        .Replace(
            "{ \"id\": \"no-delay\", \"type\": \"Delay\", \"duration\": { \"expression\": { \"type\": \"Literal\", \"value\": \"00:00:00\" } } }",
            "{ \"id\": \"no-delay\", \"type\": \"SetVariable\", \"variable\": { \"expression\": { \"type\": \"Literal\", \"value\": \"note\" } }, \"value\": { \"expression\": { \"type\": \"Literal\", \"value\": \"no timer\" } } }",
            StringComparison.Ordinal);

    /// <summary>The five steps with SendMessage replaced by a SetVariable: what the message costs, by difference (<c>--attribution</c>).</summary>
    public static readonly string NoMessage = FiveSteps
        .Replace("\"name\": \"Bench: five steps\"", "\"name\": \"Bench: five steps, no message\"", StringComparison.Ordinal)
        .Replace(
            FiveSteps[FiveSteps.IndexOf("{ \"id\": \"acknowledge\"", StringComparison.Ordinal)..(FiveSteps.IndexOf("{ \"id\": \"no-delay\"", StringComparison.Ordinal))],
            "{ \"id\": \"acknowledge\", \"type\": \"SetVariable\", \"variable\": { \"expression\": { \"type\": \"Literal\", \"value\": \"note\" } }, \"value\": { \"expression\": { \"type\": \"Literal\", \"value\": \"no message\" } } },\n      ",
            StringComparison.Ordinal);

    /// <summary>The baseline: the same case, the same start, one run, nothing in between.</summary>
    public const string StartEnd = """
        {
          "name": "Bench: start and end",
          "variables": [],
          "root": { "type": "Flowchart",
            "activities": [ { "id": "start", "type": "Start" }, { "id": "end", "type": "End" } ],
            "connections": [ { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "end", "port": "In" } } ] } }
        """;

    public const string FirstWait = "wait-acknowledged";
    public const string NextWait = "wait-resolved";

    /// <summary>Start → SendMessage → wait for "acknowledged" → SetVariable → wait for "resolved" → End.</summary>
    public const string Latency = """
        {
          "name": "Bench: latency",
          "variables": [ { "name": "note", "type": "String", "value": "" } ],
          "root": { "type": "Flowchart",
            "activities": [
              { "id": "start", "type": "Start" },
              { "id": "acknowledge", "type": "SendMessage",
                "template": { "expression": { "type": "Literal", "value": "customer-acknowledgement" } } },
              { "id": "wait-acknowledged", "type": "WaitForCaseEvent", "event": { "expression": { "type": "Literal", "value": "acknowledged" } } },
              { "id": "note", "type": "SetVariable",
                "variable": { "expression": { "type": "Literal", "value": "note" } },
                "value": { "expression": { "type": "Literal", "value": "acknowledged" } } },
              { "id": "wait-resolved", "type": "WaitForCaseEvent", "event": { "expression": { "type": "Literal", "value": "resolved" } } },
              { "id": "end", "type": "End" }
            ],
            "connections": [
              { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "acknowledge", "port": "In" } },
              { "source": { "activity": "acknowledge", "port": "Done" }, "target": { "activity": "wait-acknowledged", "port": "In" } },
              { "source": { "activity": "wait-acknowledged", "port": "Done" }, "target": { "activity": "note", "port": "In" } },
              { "source": { "activity": "note", "port": "Done" }, "target": { "activity": "wait-resolved", "port": "In" } },
              { "source": { "activity": "wait-resolved", "port": "Done" }, "target": { "activity": "end", "port": "In" } }
            ] } }
        """;
}
