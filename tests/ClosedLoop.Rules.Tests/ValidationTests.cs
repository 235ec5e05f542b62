namespace ClosedLoop.Rules.Tests;

/// <summary>Every rejection of the Safety section: the rule set is refused with the rule's path and the reason.</summary>
public sealed class ValidationTests
{
    public static TheoryData<string, string, string?, string> Rejections => new()
    {
        // Not RulesEngine's schema.
        { "not JSON", "{ \"WorkflowName\": \"r\", ", null, "json" },
        { "Rules not an array", """{ "WorkflowName": "r", "Rules": "x" }""", null, "schema" },
        { "missing WorkflowName", """{ "Rules": [ { "RuleName": "a", "Expression": "true" } ] }""", null, "schema" },
        { "misspelled member", Set("""{ "RuleName": "a", "expression": "true" }"""), "a", "schema" },
        { "unknown operator", Set("""{ "RuleName": "a", "Operator": "Xor", "Rules": [ { "RuleName": "b", "Expression": "true" } ] }"""), "a", "schema" },
        { "leaf without expression", Set("""{ "RuleName": "a" }"""), "a", "schema" },
        { "nested rules without operator", Set("""{ "RuleName": "a", "Expression": "true", "Rules": [ { "RuleName": "b", "Expression": "true" } ] }"""), "a", "schema" },
        { "duplicate rule names", Set("""{ "RuleName": "a", "Expression": "true" }, { "RuleName": "a", "Expression": "false" }"""), "a", "schema" },
        { "unknown expression type", """{ "WorkflowName": "r", "RuleExpressionType": "Script", "Rules": [ { "RuleName": "a", "Expression": "true" } ] }""", null, "schema" },

        // Does not compile.
        { "unknown member", Leaf("feedback.Nope > 1"), "a", "compile" },
        { "not a boolean", Leaf("feedback.Comment"), "a", "compile" },
        { "broken local param", Set("""{ "RuleName": "a", "LocalParams": [ { "Name": "x", "Expression": "feedback.(" } ], "Expression": "true" }"""), "a", "compile" },
        { "nested rule that does not compile", Set("""{ "RuleName": "a", "Operator": "And", "Rules": [ { "RuleName": "b", "Expression": "feedback.Score ==" } ] }"""), "a/b", "compile" },

        // Reaches outside the input and the helpers.
        { "GetType", Leaf("feedback.GetType().Name == \"FeedbackFacts\""), "a", "forbidden" },
        { "typeof", Leaf("typeof(string) != null"), "a", "forbidden" },
        { "reflection through Assembly", Leaf("feedback.Comment.GetType().Assembly.FullName != \"\""), "a", "forbidden" },
        { "System.Reflection", Leaf("System.Reflection.Assembly.GetExecutingAssembly() != null"), "a", "forbidden" },
        { "file", Leaf("System.IO.File.Exists(\"/etc/passwd\")"), "a", "forbidden" },
        { "environment", Leaf("Environment.GetEnvironmentVariable(\"PATH\") != null"), "a", "forbidden" },
        { "process", Leaf("System.Diagnostics.Process.GetCurrentProcess().Id > 0"), "a", "forbidden" },
        { "Activator", Leaf("Activator.CreateInstance(\"x\", \"y\") != null"), "a", "forbidden" },
        { "AppDomain", Leaf("AppDomain.CurrentDomain != null"), "a", "forbidden" },
        { "Type members", Leaf("Type.GetType(\"System.IO.File\") != null"), "a", "forbidden" },
        { "mutating string API", Leaf("feedback.Comment.Replace(\"a\", \"bb\") != \"\""), "a", "forbidden" },
        { "invalid regular expression", Leaf("Text.Matches(feedback.Comment, \"(unclosed\")"), "a", "forbidden" },
        { "string API outside the allow-list", Leaf("feedback.Comment.Normalize() != \"\""), "a", "forbidden" },
        { "forbidden global param", Global("t", "feedback.GetType()"), null, "forbidden" },
        { "forbidden action", Set("""{ "RuleName": "a", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "Expression": "feedback.GetType()" } } } }"""), "a", "forbidden" },

        // Unbounded sequences.
        { "Enumerable.Range over input", Leaf("Enumerable.Range(0, feedback.Comment.Length).Any()"), "a", "forbidden" },
        { "Enumerable.Range too long", Leaf("Enumerable.Range(0, 100000000).Count() > 1"), "a", "forbidden" },
        { "Enumerable.Repeat", Leaf("Enumerable.Repeat(feedback.Comment, feedback.Comment.Length).Count() > 1"), "a", "forbidden" },
        { "padding to a computed width", Leaf("feedback.Comment.PadLeft(feedback.Comment.Length * 1000).Length > 0"), "a", "forbidden" },

        // Limits.
        { "expression too long", Leaf("feedback.Score > 1" + string.Concat(Enumerable.Repeat(" && feedback.Score > 1", 100))), "a", "limit" },
        { "too many rules", Set(string.Join(", ", Enumerable.Range(1, 501).Select(i => $$"""{ "RuleName": "r{{i}}", "Expression": "true" }"""))), "r501", "limit" },
        { "too deep", Set(Nest(7)), "l1/l2/l3/l4/l5/l6/l7", "limit" },

        // Decisions.
        { "unknown decision property", Props("""{ "priorty": "high" }"""), "a", "property" },
        { "choice out of list", Props("""{ "priority": "super" }"""), "a", "property" },
        { "integer out of range", Props("""{ "slaHours": 0 }"""), "a", "property" },
        { "integer as string", Props("""{ "slaHours": "24" }"""), "a", "property" },
        { "flag as string", Props("""{ "openCase": "yes" }"""), "a", "property" },
        { "list of numbers", Props("""{ "topics": [ 5 ] }"""), "a", "property" },
        { "empty text", Props("""{ "team": "" }"""), "a", "property" },

        // Injection and actions.
        { "injects a set that does not exist", """{ "WorkflowName": "r", "WorkflowsToInject": [ "ghost" ], "Rules": [ { "RuleName": "a", "Expression": "true" } ] }""", null, "inject" },
        { "unknown action", Set("""{ "RuleName": "a", "Expression": "true", "Actions": { "OnSuccess": { "Name": "SendEmail" } } }"""), "a", "action" },
        { "EvaluateRule in a loop", Set("""
            { "RuleName": "a", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "r", "ruleName": "b" } } } },
            { "RuleName": "b", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "r", "ruleName": "a" } } } }
            """), "a", "action" },
        { "EvaluateRule into another set", Set("""{ "RuleName": "a", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "other", "ruleName": "b" } } } }"""), "a", "action" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Rejects_with_the_rule_and_the_reason(string why, string json, string? rule, string code)
    {
        var engine = FeedbackRules.Engine();

        var validation = await engine.ValidateAsync(new RuleSetDefinition("r", 1, 100, json));

        Assert.False(validation.IsValid, why);
        var problem = Assert.Single(validation.Errors, e => e.Code == code);
        Assert.Equal(rule, problem.Rule);
        Assert.False(string.IsNullOrWhiteSpace(problem.Message));
        Assert.Contains(problem.Key, validation.ToError().Fields.Keys);
    }

    [Fact]
    public async Task Names_the_screened_construct()
    {
        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, Leaf("feedback.GetType().Name == \"x\"")));

        Assert.Contains("GetType", Assert.Single(validation.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepts_bounded_sequences_helpers_and_annotations()
    {
        var json = Set("""
            { "RuleName": "a", "Expression": "Enumerable.Range(1, 5).Contains(feedback.Score ?? 0) && Text.Matches(feedback.Comment, \"de?lay\")",
              "Properties": { "priority": "high", "x-why": "small scores" } },
            { "RuleName": "b", "Expression": "Lists.Value(feedback.Attributes, \"plan\") == \"gold\" || feedback.Attributes.ContainsKey(\"vip\")" }
            """);

        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, json));

        Assert.True(validation.IsValid, string.Join("\n", validation.Errors));
    }

    [Fact]
    public async Task Rejects_a_workflow_name_that_is_not_the_rule_set_name()
    {
        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("routing", 1, 100, Leaf("true")));

        Assert.Equal("WorkflowName", Assert.Single(validation.Errors).Field);
    }

    [Fact]
    public async Task Warns_about_members_outside_the_schema_but_keeps_them()
    {
        var json = """{ "WorkflowName": "r", "Description": "not in the schema", "Rules": [ { "RuleName": "a", "SuccessMessage": "in the schema, not the model", "Expression": "true" } ] }""";

        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, json));

        Assert.True(validation.IsValid);
        Assert.Contains(validation.Warnings, w => w.Field == "Description");
    }

    [Fact]
    public async Task Rejects_loops_and_teams_that_name_nothing()
    {
        var workflows = new FakeReferences("workflow", "detractor-recovery");
        var teams = new FakeReferences("team", "cx-emea");
        var engine = FeedbackRules.Engine(checks: [workflows, teams]);

        var validation = await engine.ValidateAsync(new RuleSetDefinition("r", 1, 100, Set("""
            { "RuleName": "good", "Expression": "true", "Properties": { "loop": "detractor-recovery", "team": "cx-emea" } },
            { "RuleName": "bad", "Operator": "Or", "Rules": [ { "RuleName": "child", "Expression": "true", "Properties": { "loop": "ghost-loop", "team": "ghost-team" } } ] }
            """)));

        Assert.Equal(
            [("bad/child", "Properties.loop", "reference"), ("bad/child", "Properties.team", "reference")],
            validation.Errors.Select(e => (e.Rule!, e.Field!, e.Code)).Order());
        Assert.Equal(1, workflows.Calls);
    }

    [Fact]
    public async Task Rejects_an_injection_cycle()
    {
        var engine = FeedbackRules.Engine();
        await engine.ApplyAsync(new RuleSetCatalog("1", [new RuleSetDefinition("b", 1, 1, """{ "WorkflowName": "b", "WorkflowsToInject": [ "a" ], "Rules": [ { "RuleName": "x", "Expression": "true" } ] }""")]));

        var validation = await engine.ValidateAsync(new RuleSetDefinition("a", 1, 1, """{ "WorkflowName": "a", "WorkflowsToInject": [ "b" ], "Rules": [ { "RuleName": "y", "Expression": "true" } ] }"""));

        Assert.Contains(validation.Errors, e => e.Code == "inject" && e.Message.Contains("cycle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rejects_a_change_that_breaks_a_set_injecting_it()
    {
        var engine = FeedbackRules.Engine();
        await engine.ApplyAsync(new RuleSetCatalog("1",
        [
            new RuleSetDefinition("shared", 1, 1, """{ "WorkflowName": "shared", "Rules": [ { "RuleName": "s", "Expression": "true" } ] }"""),
            new RuleSetDefinition("main", 1, 2, """{ "WorkflowName": "main", "WorkflowsToInject": [ "shared" ], "Rules": [ { "RuleName": "m", "Expression": "true" } ] }"""),
        ]));

        var validation = await engine.ValidateAsync(new RuleSetDefinition("shared", 2, 1, """{ "WorkflowName": "shared", "Rules": [ { "RuleName": "m", "Expression": "true" } ] }"""));

        Assert.Contains(validation.Errors, e => e.Code == "inject" && e.Message.Contains("'main'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Records_rules_that_fail_on_a_sample_as_warnings()
    {
        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, Leaf("feedback.Attributes[\"plan\"] == \"gold\"")));

        Assert.True(validation.IsValid);
        Assert.Contains(validation.Warnings, w => w.Rule == "a" && w.Code == "dry-run");
    }

    internal static string Set(string rules) => $$"""{ "WorkflowName": "r", "Rules": [ {{rules}} ] }""";

    internal static string Leaf(string expression) =>
        Set($$"""{ "RuleName": "a", "Expression": {{System.Text.Json.JsonSerializer.Serialize(expression)}} }""");

    private static string Props(string properties) => Set($$"""{ "RuleName": "a", "Expression": "true", "Properties": {{properties}} }""");

    private static string Global(string name, string expression) =>
        $$"""{ "WorkflowName": "r", "GlobalParams": [ { "Name": "{{name}}", "Expression": {{System.Text.Json.JsonSerializer.Serialize(expression)}} } ], "Rules": [ { "RuleName": "a", "Expression": "true" } ] }""";

    private static string Nest(int depth) => depth == 0
        ? """{ "RuleName": "leaf", "Expression": "true" }"""
        : $$"""{ "RuleName": "l{{8 - depth}}", "Operator": "And", "Rules": [ {{Nest(depth - 1)}} ] }""";
}

/// <summary>Dry runs are bounded in time too, and name the rule that overran.</summary>
[Collection(Runaways.Name)]
public sealed class DryRunTests
{
    [Fact]
    public async Task A_dry_run_that_overruns_names_the_slow_rule()
    {
        var engine = FeedbackRules.Engine(
            new RuleEngineOptions { DryRunBudget = TimeSpan.FromMilliseconds(200) },
            helpers: [typeof(Slow)],
            samples: [FeedbackRules.Facts(2, "sleep")]);

        var validation = await engine.ValidateAsync(new RuleSetDefinition("r", 1, 100, ValidationTests.Set("""
            { "RuleName": "quick", "Expression": "feedback.Score < 5" },
            { "RuleName": "sleepy", "Expression": "Slow.Sleeps(feedback.Comment, 1500)" }
            """)));

        var problem = Assert.Single(validation.Errors);
        Assert.Equal(("sleepy", "dry-run"), (problem.Rule, problem.Code));
    }
}

/// <summary>A helper registered only in tests: sleeps when the text says so, to stand for a slow rule.</summary>
public static class Slow
{
    public static bool Sleeps(string text, int milliseconds)
    {
        if (text.Contains("sleep", StringComparison.Ordinal))
        {
            Thread.Sleep(milliseconds);
        }

        return true;
    }
}
