using System.Text.Json.Nodes;
using ClosedLoop.Workflows.Definitions;

namespace ClosedLoop.Workflows.Tests;

public sealed class JsonTests
{
    [Fact]
    public void The_recovery_loop_round_trips_through_canonical_json()
    {
        var first = Loops.Parse(Loops.Recovery);
        var canonical = first.ToJson();
        var second = Loops.Parse(canonical);

        Assert.Equal(canonical, second.ToJson());
        Assert.Equal("detractor-recovery", second.DefinitionId);
        Assert.Equal(1, second.Version);
        Assert.True(second.IsLatest);
        Assert.False(second.IsPublished);
        Assert.Equal(["attempts", "note"], second.Variables.Select(v => v.Name));
        Assert.Equal(VariableType.Number, second.Variables[0].Type);
        Assert.Equal(8, second.Root.Activities.Count);
        Assert.Equal(9, second.Root.Connections.Count);
        var ack = second.Root.Activities[1];
        Assert.Equal(("ack", "SendMessage", "Acknowledge"), (ack.Id, ack.Type, ack.Name));
        Assert.Equal(WorkflowExpressionType.Literal, ack.Inputs["template"].Type);
        Assert.Equal("customer-acknowledgement", ack.Inputs["template"].Value.GetString());
        Assert.Equal(new ConnectionEndpoint("decide", "True"), second.Root.Connections[5].Source);
    }

    [Fact]
    public void Canonical_json_has_a_stable_property_order_whatever_the_input_order()
    {
        const string Shuffled = """
            { "root": { "connections": [ { "target": { "port": "In", "activity": "end" }, "source": { "port": "Done", "activity": "start" } } ],
                        "activities": [ { "type": "Start", "id": "start" }, { "type": "End", "id": "end" } ], "type": "Flowchart" },
              "name": "Minimal", "definitionId": "minimal" }
            """;

        Assert.Equal(Loops.Parse(Loops.Minimal).ToJson(), Loops.Parse(Shuffled).ToJson());
        Assert.StartsWith("{\n  \"definitionId\": \"minimal\",\n  \"version\": 1,\n  \"isLatest\": false,\n  \"isPublished\": false,\n  \"name\": \"Minimal\",",
            Loops.Parse(Shuffled).ToJson().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_are_written_in_name_order()
    {
        var json = Loops.Parse(Loops.Recovery).ToJson();

        Assert.True(json.IndexOf("\"timeout\"", StringComparison.Ordinal) > json.IndexOf("\"event\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Elsa_designer_data_on_an_activity_is_kept_as_given_and_is_not_an_input()
    {
        var loop = Loops.Node();
        loop.Activity("ack")["metadata"] = JsonNode.Parse("{ \"designer\": { \"position\": { \"x\": 120.5, \"y\": -40 }, \"size\": { \"width\": 200, \"height\": 50 } } }");
        loop.Activity("ack")["customProperties"] = JsonNode.Parse("{ \"owner\": \"cx-ops\" }");

        var document = Loops.Parse(loop);
        var ack = document.Root.Activities.Single(a => a.Id == "ack");

        Assert.DoesNotContain("metadata", ack.Inputs.Keys);
        Assert.Equal(120.5, ack.Metadata!.Value.GetProperty("designer").GetProperty("position").GetProperty("x").GetDouble());
        Assert.Equal("cx-ops", ack.CustomProperties!.Value.GetProperty("owner").GetString());
        Assert.Equal(document.ToJson(), Loops.Parse(document.ToJson()).ToJson());
        Assert.Contains("\"designer\"", document.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Designer_data_that_is_not_an_object_is_an_error_at_its_path()
    {
        var loop = Loops.Node();
        loop.Activity("ack")["metadata"] = "left: 10px";

        Assert.False(WorkflowDefinitionJson.TryParse(loop.ToJsonString(), out _, out var errors));
        var error = Assert.Single(errors);
        Assert.Equal("ack", error.ActivityId);
        Assert.EndsWith(".metadata", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void The_target_port_defaults_to_In()
    {
        var doc = Loops.Parse(Loops.Minimal.Replace(", \"port\": \"In\"", string.Empty, StringComparison.Ordinal));

        Assert.Equal(ConnectionEndpoint.InPort, doc.Root.Connections[0].Target.Port);
    }

    public static TheoryData<string, string, string?, string> ShapeErrors => new()
    {
        { "malformed JSON", "{ \"definitionId\": ", null, "Malformed JSON" },
        { "not an object", "[1, 2]", null, "Must be an object" },
        { "unknown top-level property", Loops.Minimal.Replace("\"name\":", "\"nmae\": \"x\", \"name\":", StringComparison.Ordinal), null, "nmae" },
        { "missing root", """{ "definitionId": "x", "name": "x" }""", null, "root" },
        { "root not a Flowchart", Loops.Minimal.Replace("\"Flowchart\"", "\"Sequence\"", StringComparison.Ordinal), null, "root.type" },
        { "version not a positive integer", Loops.Minimal.Replace("\"name\":", "\"version\": 0, \"name\":", StringComparison.Ordinal), null, "version" },
        { "unknown variable type", Loops.Minimal.Replace("\"name\":", "\"variables\": [ { \"name\": \"x\", \"type\": \"Date\" } ], \"name\":", StringComparison.Ordinal), null, "variables[0].type" },
        { "input not an expression object", Loops.Minimal.Replace("\"type\": \"End\"", "\"type\": \"End\", \"x\": 5", StringComparison.Ordinal), "end", "root.activities[1].x" },
        { "unknown expression type", Loops.Minimal.Replace("\"type\": \"End\"", "\"type\": \"End\", \"x\": { \"expression\": { \"type\": \"JavaScript\", \"value\": \"1\" } }", StringComparison.Ordinal), "end", "root.activities[1].x.expression.type" },
        { "activity without type", Loops.Minimal.Replace(", \"type\": \"End\"", string.Empty, StringComparison.Ordinal), "end", "root.activities[1].type" },
        { "connection without source port", Loops.Minimal.Replace(", \"port\": \"Done\"", string.Empty, StringComparison.Ordinal), "start", "root.connections[0].source.port" },
    };

    [Theory]
    [MemberData(nameof(ShapeErrors))]
    public void Shape_errors_are_definition_errors_with_a_json_path(string name, string json, string? activityId, string pathOrMessage)
    {
        Assert.False(WorkflowDefinitionJson.TryParse(json, out var document, out var errors), name);
        Assert.Null(document);
        Assert.Contains(errors, e => e.ActivityId == activityId
            && (e.Path.Contains(pathOrMessage, StringComparison.Ordinal) || e.Message.Contains(pathOrMessage, StringComparison.Ordinal)));
    }

    [Fact]
    public void Malformed_json_reports_the_position()
    {
        Assert.False(WorkflowDefinitionJson.TryParse("{\n  \"definitionId\": ,\n}", out _, out var errors));

        var error = Assert.Single(errors);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_over_256_kilobytes_is_refused_before_parsing()
    {
        var huge = Loops.Minimal.Replace("\"Minimal\"", $"\"{new string('x', 256 * 1024)}\"", StringComparison.Ordinal);

        Assert.False(WorkflowDefinitionJson.TryParse(huge, out _, out var errors));

        Assert.Equal("$", Assert.Single(errors).Path);
    }
}
