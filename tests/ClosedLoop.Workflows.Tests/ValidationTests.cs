using System.Text.Json.Nodes;
using ClosedLoop.Workflows.Definitions;

namespace ClosedLoop.Workflows.Tests;

/// <summary>One broken variant per rule: the validator names exactly that error, with the activity id and the JSON path.</summary>
public sealed class ValidationTests
{
    private sealed record Breakage(Action<JsonObject> Break, string? ActivityId, string Path, string Message, bool Only = true);

    private static readonly Dictionary<string, Breakage> Breakages = new()
    {
        ["duplicate id"] = new(l => l.Activities().Add(new JsonObject { ["id"] = "survey", ["type"] = "End" }), "survey", "root.activities[8].id", "Duplicate id"),
        ["empty id"] = new(l => l.Activities().Add(new JsonObject { ["id"] = "", ["type"] = "End" }), null, "root.activities[8].id", "needs an id"),
        ["id with bad characters"] = new(l => l.Activities().Add(new JsonObject { ["id"] = "bad id!", ["type"] = "End" }), "bad id!", "root.activities[8].id", "[a-zA-Z0-9_-]"),
        ["id too long"] = new(l => l.Activities().Add(new JsonObject { ["id"] = new string('x', 65), ["type"] = "End" }), new string('x', 65), "root.activities[8].id", "1-64"),
        ["no Start"] = new(l => { l.Activities().RemoveAt(0); l.Connections().RemoveAt(0); }, null, "root.activities", "exactly one Start"),
        ["two Starts"] = new(l =>
        {
            l.Activities().Add(new JsonObject { ["id"] = "start2", ["type"] = "Start" });
            l.Connections().Add(Loops.Connection("start2", "Done", "end"));
        }, "start2", "root.activities[8]", "exactly one Start"),
        ["no End"] = new(l => l.Activity("end")["type"] = "SendSurvey", null, "root.activities", "at least one End", Only: false),
        ["unknown activity type"] = new(l => l.Activity("ack")["type"] = "SendFax", "ack", "root.activities[1].type", "Unknown activity type 'SendFax'"),
        ["missing required input"] = new(l => l.Activity("ack").Remove("template"), "ack", "root.activities[1].template", "Required input"),
        ["null literal for a required input"] = new(l => l.Activity("ack")["template"] = Loops.Input("Literal", null), "ack", "root.activities[1].template", "Required input"),
        ["unknown input"] = new(l => l.Activity("escalate")["tema"] = Loops.Input("Literal", "x"), "escalate", "root.activities[5].tema", "no input 'tema'"),
        ["literal of the wrong JSON type"] = new(l => l.Activity("wait")["timeout"] = Loops.Input("Literal", 48), "wait", "root.activities[2].timeout", "duration"),
        ["malformed duration"] = new(l => l.Activity("wait")["timeout"] = Loops.Input("Literal", "2 days"), "wait", "root.activities[2].timeout", "duration"),
        ["enum value not allowed"] = new(l => l.Activity("wait")["event"] = Loops.Input("Literal", "exploded"), "wait", "root.activities[2].event", "one of acknowledged"),
        ["boolean input given a string"] = new(l => l.Activity("decide")["condition"] = Loops.Input("Literal", "yes"), "decide", "root.activities[4].condition", "true or false"),
        ["expression where only a literal is allowed"] = new(l => l.Activity("ack")["template"] = Loops.Input("Expression", "\"x\""), "ack", "root.activities[1].template", "only a Literal"),
        ["undeclared variable"] = new(l => l.Activity("decide")["condition"] = Loops.Input("Variable", "nope"), "decide", "root.activities[4].condition", "'nope' is not declared"),
        ["variable of the wrong type"] = new(l => l.Activity("decide")["condition"] = Loops.Input("Variable", "attempts"), "decide", "root.activities[4].condition", "is a Number"),
        ["expression that does not compile"] = new(l => l.Activity("decide")["condition"] = Loops.Input("Expression", "attempts <"), "decide", "root.activities[4].condition", "does not compile"),
        ["expression of the wrong type"] = new(l => l.Activity("decide")["condition"] = Loops.Input("Expression", "attempts + 1"), "decide", "root.activities[4].condition", "needs a Boolean"),
        ["expression naming an unknown fact"] = new(l => l.Activity("decide")["condition"] = Loops.Input("Expression", "case.Mood == \"sad\""), "decide", "root.activities[4].condition", "does not compile"),
        ["expression reaching for reflection"] = new(l => l.Activity("decide")["condition"] = Loops.Input("Expression", "case.GetType().Name == \"x\""), "decide", "root.activities[4].condition", "GetType"),
        ["expression outside the allow-list"] = new(l => l.Activity("decide")["condition"] = Loops.Input("Expression", "Convert.ToInt32(attempts) > 1"), "decide", "root.activities[4].condition", "not allowed"),
        ["unknown template key"] = new(l => l.Activity("ack")["template"] = Loops.Input("Literal", "no-such-template"), "ack", "root.activities[1].template", "Unknown template 'no-such-template'"),
        ["unknown team"] = new(l => l.Activity("escalate")["team"] = Loops.Input("Literal", "nobody"), "escalate", "root.activities[5].team", "Unknown team 'nobody'"),
        ["SetVariable of an undeclared variable"] = new(l => l.Activity("bump")["variable"] = Loops.Input("Literal", "nope"), "bump", "root.activities[3].variable", "'nope' is not declared"),
        ["SetVariable literal of the wrong type"] = new(l => l.Activity("bump")["value"] = Loops.Input("Literal", "many"), "bump", "root.activities[3].value", "is a Number"),
        ["connection to an unknown activity"] = new(l => l.Connections()[8]!["target"]!["activity"] = "ending", "survey", "root.connections[8].target.activity", "Unknown activity 'ending'"),
        ["connection from an unknown activity"] = new(l => l.Connections().Add(Loops.Connection("ghost", "Done", "end")), "ghost", "root.connections[9].source.activity", "Unknown activity 'ghost'"),
        ["unknown source port"] = new(l => l.Connections().Add(Loops.Connection("survey", "Oops", "end")), "survey", "root.connections[9].source.port", "no port 'Oops'"),
        ["target port other than In"] = new(l => l.Connections()[8]!["target"]!["port"] = "Out", "survey", "root.connections[8].target.port", "must be 'In'"),
        ["connection into Start"] = new(l => l.Connections().Add(Loops.Connection("survey", "Done", "start")), "survey", "root.connections[9].target.activity", "into the Start", Only: false),
        ["unreachable activity"] = new(l =>
        {
            l.Activities().Add(new JsonObject { ["id"] = "orphan", ["type"] = "SendSurvey" });
            l.Connections().Add(Loops.Connection("orphan", "Done", "end"));
        }, "orphan", "root.activities[8]", "Unreachable"),
        ["activity with no outgoing connection"] = new(l => l.Connections().RemoveAt(8), "survey", "root.activities[6]", "No outgoing connection"),
        ["decision port not connected"] = new(l => l.Connections().RemoveAt(5), "decide", "root.activities[4]", "Port 'True' is not connected"),
        ["implicit join"] = new(l => l.Connections()[8]!["target"]!["activity"] = "escalate", "escalate", "root.activities[5]", "merge them with a FlowJoin"),
        ["implicit fork"] = new(l => l.Connections().Add(Loops.Connection("ack", "Done", "survey")), "ack", "root.connections[9]", "fan out with a FlowFork"),
        ["cycle without a wait"] = new(l => l.Connections()[5]!["target"]!["activity"] = "bump", "bump", "root.activities[3]", "Cycle without a waiting activity"),
        ["self loop without a wait"] = new(l =>
        {
            l.Activities().Add(new JsonObject { ["id"] = "spin", ["type"] = "FlowJoin" });
            l.Connections()[8]!["target"]!["activity"] = "spin";
            l.Connections().Add(Loops.Connection("spin", "Done", "spin"));
        }, "spin", "root.activities[8]", "Cycle without a waiting activity"),
        ["too many variables"] = new(l =>
        {
            var vars = l["variables"]!.AsArray();
            for (var i = 0; i < 49; i++)
            {
                vars.Add(new JsonObject { ["name"] = $"v{i}", ["type"] = "Boolean", ["value"] = false });
            }
        }, null, "variables", "At most 50 variables"),
        ["variable value of the wrong type"] = new(l => l["variables"]![0]!["value"] = "zero", null, "variables[0].value", "not a Number"),
        ["variable named like a keyword"] = new(l => l["variables"]!.AsArray().Add(new JsonObject { ["name"] = "case", ["type"] = "String" }), null, "variables[2].name", "reserved"),
        ["variable declared twice"] = new(l => l["variables"]!.AsArray().Add(new JsonObject { ["name"] = "note", ["type"] = "String" }), null, "variables[2].name", "declared twice"),
        ["definition id with bad characters"] = new(l => l["definitionId"] = "detractor recovery", null, "definitionId", "[a-zA-Z0-9_-]"),
    };

    public static TheoryData<string> Cases => new(Breakages.Keys);

    [Fact]
    public async Task The_recovery_loop_is_valid()
    {
        var errors = await ModuleActivities.Validator().ValidateAsync(Loops.Parse(Loops.Recovery), CancellationToken.None);

        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_minimal_loop_needs_only_the_engine_s_activities()
    {
        var builtInsOnly = new ActivityCatalog();
        foreach (var d in BuiltInActivities.All)
        {
            builtInsOnly.Register(d);
        }

        var errors = await new DefinitionValidator(builtInsOnly, []).ValidateAsync(Loops.Parse(Loops.Minimal), CancellationToken.None);

        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_broken_variant_is_reported_with_its_activity_and_path(string name)
    {
        var breakage = Breakages[name];
        var loop = Loops.Node();
        breakage.Break(loop);

        var errors = await ModuleActivities.Validator().ValidateAsync(Loops.Parse(loop), CancellationToken.None);

        var error = Assert.Single(errors, e => e.Path == breakage.Path && e.ActivityId == breakage.ActivityId);
        Assert.Contains(breakage.Message, error.Message, StringComparison.Ordinal);
        if (breakage.Only)
        {
            Assert.True(errors.Count == 1, "Expected only that error, got:\n" + string.Join("\n", errors));
        }
    }

    [Fact]
    public async Task Every_error_is_listed_not_just_the_first()
    {
        var loop = Loops.Node();
        loop.Activity("ack")["template"] = Loops.Input("Literal", "nope");
        loop.Activity("escalate")["team"] = Loops.Input("Literal", "nobody");
        loop.Activity("decide")["condition"] = Loops.Input("Expression", "(");

        var errors = await ModuleActivities.Validator().ValidateAsync(Loops.Parse(loop), CancellationToken.None);

        Assert.Equal(["ack", "decide", "escalate"], errors.Select(e => e.ActivityId!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task More_than_200_activities_are_refused()
    {
        var loop = Loops.Node();
        for (var i = 0; i < 193; i++)
        {
            loop.Activities().Add(new JsonObject { ["id"] = $"e{i}", ["type"] = "End" });
        }

        var errors = await ModuleActivities.Validator().ValidateAsync(Loops.Parse(loop), CancellationToken.None);

        Assert.Contains(errors, e => e.ActivityId is null && e.Path == "root.activities" && e.Message.Contains("At most 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reference_kind_no_module_checks_is_an_error_not_a_pass()
    {
        var errors = await new DefinitionValidator(ModuleActivities.Catalog(), [new FakeCheck("team", "tier-2")])
            .ValidateAsync(Loops.Parse(Loops.Recovery), CancellationToken.None);

        Assert.Equal(["ack", "survey"], errors.Select(e => e.ActivityId!));
        Assert.All(errors, e => Assert.Contains("No module checks references of kind 'template'", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_reference_is_looked_up_once()
    {
        var templates = new FakeCheck("template", "customer-acknowledgement");
        var loop = Loops.Node();
        loop.Activity("survey")["template"] = Loops.Input("Literal", "customer-acknowledgement");

        var errors = await new DefinitionValidator(ModuleActivities.Catalog(), [templates, new FakeCheck("team", "tier-2")])
            .ValidateAsync(Loops.Parse(loop), CancellationToken.None);

        Assert.Empty(errors);
        Assert.Equal(1, templates.Calls);
    }

    [Fact]
    public async Task A_fork_may_fan_out_and_a_join_may_merge()
    {
        var loop = Loops.Node();
        loop.Activities().Add(new JsonObject { ["id"] = "fork", ["type"] = "FlowFork" });
        loop.Activities().Add(new JsonObject { ["id"] = "join", ["type"] = "FlowJoin", ["mode"] = Loops.Input("Literal", "WaitAll") });
        loop.Activities().Add(new JsonObject { ["id"] = "assign", ["type"] = "AssignCase", ["team"] = Loops.Input("Literal", "billing") });
        loop.Connections()[2]!["target"]!["activity"] = "fork";          // wait.Done → fork
        loop.Connections().Add(Loops.Connection("fork", "Done", "survey"));
        loop.Connections().Add(Loops.Connection("fork", "Done", "assign"));
        loop.Connections()[8]!["target"]!["activity"] = "join";          // survey → join
        loop.Connections().Add(Loops.Connection("assign", "Done", "join"));
        loop.Connections().Add(Loops.Connection("join", "Done", "end"));

        var errors = await ModuleActivities.Validator().ValidateAsync(Loops.Parse(loop), CancellationToken.None);

        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_switch_s_case_labels_are_its_ports()
    {
        var loop = Loops.Node();
        loop.Activities().Add(new JsonObject
        {
            ["id"] = "route",
            ["type"] = "FlowSwitch",
            ["cases"] = Loops.Input("Literal", new JsonArray(
                new JsonObject { ["label"] = "urgent", ["condition"] = "case.Priority == \"High\"" },
                new JsonObject { ["label"] = "repeat", ["condition"] = "case.ReopenCount > 1 || case.Tags.Contains(\"vip\")" })),
        });
        loop.Connections()[6]!["target"]!["activity"] = "route";         // decide.False → route
        loop.Connections().Add(Loops.Connection("route", "urgent", "escalate"));
        loop.Connections().Add(Loops.Connection("route", "repeat", "end"));
        loop.Connections().Add(Loops.Connection("route", "Default", "end"));
        var validator = ModuleActivities.Validator();

        Assert.Empty(await validator.ValidateAsync(Loops.Parse(loop), CancellationToken.None));

        loop.Connections().RemoveAt(loop.Connections().Count - 1);
        loop.Activity("route")["cases"]!["expression"]!["value"]![1]!["condition"] = "case.ReopenCount";
        var errors = await validator.ValidateAsync(Loops.Parse(loop), CancellationToken.None);

        Assert.Equal(
            [("route", "root.activities[8].cases.expression.value[1].condition"), ("route", "root.activities[8]")],
            errors.Select(e => (e.ActivityId!, e.Path)));
        Assert.Contains("Port 'Default' is not connected", errors[1].Message, StringComparison.Ordinal);
    }
}
