using ClosedLoop.Workflows.Definitions;

namespace ClosedLoop.Workflows.Tests;

public sealed class MermaidTests
{
    [Fact]
    public void A_small_graph_renders_as_a_flowchart_with_shapes_by_kind_and_ports_on_edges()
    {
        const string Json = """
            { "definitionId": "d", "name": "d", "root": { "type": "Flowchart",
              "activities": [
                { "id": "start", "type": "Start" },
                { "id": "decide", "type": "FlowDecision", "name": "High priority?", "condition": { "expression": { "type": "Literal", "value": true } } },
                { "id": "wait", "type": "Delay", "duration": { "expression": { "type": "Literal", "value": "01:00:00" } } },
                { "id": "join", "type": "FlowJoin" },
                { "id": "end", "type": "End" } ],
              "connections": [
                { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "decide", "port": "In" } },
                { "source": { "activity": "decide", "port": "True" }, "target": { "activity": "wait", "port": "In" } },
                { "source": { "activity": "decide", "port": "False" }, "target": { "activity": "join", "port": "In" } },
                { "source": { "activity": "wait", "port": "Done" }, "target": { "activity": "join", "port": "In" } },
                { "source": { "activity": "join", "port": "Done" }, "target": { "activity": "end", "port": "In" } } ] } }
            """;

        var diagram = MermaidDiagram.Render(Loops.Parse(Json));

        Assert.Equal(
            """
            flowchart TD
                a0(["start<br/><small>Start</small>"])
                a1{"High priority#63;<br/><small>FlowDecision</small>"}
                a2("wait<br/><small>Delay</small>")
                a3{{"join<br/><small>FlowJoin</small>"}}
                a4(["end<br/><small>End</small>"])
                a0 -->|"Done"| a1
                a1 -->|"True"| a2
                a1 -->|"False"| a3
                a2 -->|"Done"| a3
                a3 -->|"Done"| a4

            """.ReplaceLineEndings("\n"),
            diagram);
    }

    [Fact]
    public void Quotes_brackets_pipes_and_html_in_names_cannot_break_out_of_a_label()
    {
        var loop = Loops.Node();
        loop.Activity("ack")["name"] = "Say \"hi\" [now] {x} (y) | <b>&#";

        var diagram = MermaidDiagram.Render(Loops.Parse(loop), ModuleActivities.Catalog());

        var line = diagram.Split('\n').Single(l => l.TrimStart().StartsWith("a1[", StringComparison.Ordinal));
        Assert.Equal("    a1[\"Say #34;hi#34; #91;now#93; #123;x#125; #40;y#41; #124; #60;b#62;#38;#35;<br/><small>SendMessage</small>\"]", line);
    }

    [Fact]
    public void With_the_catalog_module_activities_get_their_kind_s_shape()
    {
        var diagram = MermaidDiagram.Render(Loops.Parse(Loops.Recovery), ModuleActivities.Catalog());

        Assert.Contains("    a2(\"wait<br/><small>WaitForCaseEvent</small>\")\n", diagram, StringComparison.Ordinal);
        Assert.Contains("    a2 -->|\"Timeout\"| a3\n", diagram, StringComparison.Ordinal);
        Assert.Contains("    a4 -->|\"True\"| a2\n", diagram, StringComparison.Ordinal);
    }

    [Fact]
    public void Connections_to_unknown_activities_are_left_out()
    {
        var loop = Loops.Node();
        loop.Connections()[8]!["target"]!["activity"] = "nowhere";

        var diagram = MermaidDiagram.Render(Loops.Parse(loop));

        Assert.DoesNotContain("a6 -->", diagram, StringComparison.Ordinal);
        Assert.Equal(8, diagram.Split('\n').Count(l => l.Contains("-->", StringComparison.Ordinal)));
    }
}
