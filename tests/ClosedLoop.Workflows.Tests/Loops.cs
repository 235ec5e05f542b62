using System.Text.Json.Nodes;
using ClosedLoop.Workflows.Definitions;

namespace ClosedLoop.Workflows.Tests;

/// <summary>A valid detractor-recovery loop (with a waiting retry cycle) that each test breaks in one place.</summary>
internal static class Loops
{
    // Activity indexes: 0 start, 1 ack, 2 wait, 3 bump, 4 decide, 5 escalate, 6 survey, 7 end.
    // Connection indexes: 0 start→ack, 1 ack→wait, 2 wait.Done→survey, 3 wait.Timeout→bump, 4 bump→decide,
    // 5 decide.True→wait (loop-back), 6 decide.False→escalate, 7 escalate→end, 8 survey→end.
    public const string Recovery = """
        {
          "definitionId": "detractor-recovery",
          "version": 1,
          "isLatest": true,
          "isPublished": false,
          "name": "Detractor recovery",
          "description": "Acknowledge, wait for resolution, chase, escalate.",
          "variables": [
            { "name": "attempts", "type": "Number", "value": 0 },
            { "name": "note", "type": "String", "value": "" }
          ],
          "root": {
            "type": "Flowchart",
            "activities": [
              { "id": "start", "type": "Start" },
              { "id": "ack", "type": "SendMessage", "name": "Acknowledge", "template": { "expression": { "type": "Literal", "value": "customer-acknowledgement" } } },
              { "id": "wait", "type": "WaitForCaseEvent", "event": { "expression": { "type": "Literal", "value": "resolved" } }, "timeout": { "expression": { "type": "Literal", "value": "2.00:00:00" } } },
              { "id": "bump", "type": "SetVariable", "variable": { "expression": { "type": "Literal", "value": "attempts" } }, "value": { "expression": { "type": "Expression", "value": "attempts + 1" } } },
              { "id": "decide", "type": "FlowDecision", "condition": { "expression": { "type": "Expression", "value": "attempts < 3 && case.Priority != \"Low\"" } } },
              { "id": "escalate", "type": "EscalateCase", "team": { "expression": { "type": "Literal", "value": "tier-2" } } },
              { "id": "survey", "type": "SendSurvey", "template": { "expression": { "type": "Literal", "value": "survey-nps" } } },
              { "id": "end", "type": "End" }
            ],
            "connections": [
              { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "ack", "port": "In" } },
              { "source": { "activity": "ack", "port": "Done" }, "target": { "activity": "wait", "port": "In" } },
              { "source": { "activity": "wait", "port": "Done" }, "target": { "activity": "survey", "port": "In" } },
              { "source": { "activity": "wait", "port": "Timeout" }, "target": { "activity": "bump", "port": "In" } },
              { "source": { "activity": "bump", "port": "Done" }, "target": { "activity": "decide", "port": "In" } },
              { "source": { "activity": "decide", "port": "True" }, "target": { "activity": "wait", "port": "In" } },
              { "source": { "activity": "decide", "port": "False" }, "target": { "activity": "escalate", "port": "In" } },
              { "source": { "activity": "escalate", "port": "Done" }, "target": { "activity": "end", "port": "In" } },
              { "source": { "activity": "survey", "port": "Done" }, "target": { "activity": "end", "port": "In" } }
            ]
          }
        }
        """;

    public const string Minimal = """
        {
          "definitionId": "minimal", "name": "Minimal",
          "root": { "type": "Flowchart",
            "activities": [ { "id": "start", "type": "Start" }, { "id": "end", "type": "End" } ],
            "connections": [ { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "end", "port": "In" } } ] }
        }
        """;

    public static JsonObject Node() => JsonNode.Parse(Recovery)!.AsObject();

    public static JsonArray Activities(this JsonObject loop) => loop["root"]!["activities"]!.AsArray();

    public static JsonArray Connections(this JsonObject loop) => loop["root"]!["connections"]!.AsArray();

    public static JsonObject Activity(this JsonObject loop, string id) =>
        loop.Activities().Select(a => a!.AsObject()).First(a => (string?)a["id"] == id);

    public static JsonObject Input(string type, JsonNode? value) => new() { ["expression"] = new JsonObject { ["type"] = type, ["value"] = value } };

    public static JsonObject Connection(string from, string port, string to, string toPort = "In") => new()
    {
        ["source"] = new JsonObject { ["activity"] = from, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = to, ["port"] = toPort },
    };

    public static WorkflowDefinitionDocument Parse(string json)
    {
        Assert.True(WorkflowDefinitionJson.TryParse(json, out var document, out var errors), string.Join("\n", errors));
        return document;
    }

    public static WorkflowDefinitionDocument Parse(JsonObject loop) => Parse(loop.ToJsonString());
}
