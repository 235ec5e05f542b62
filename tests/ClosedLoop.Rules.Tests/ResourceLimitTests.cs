using System.Text.Json;

namespace ClosedLoop.Rules.Tests;

/// <summary>
/// Admin-only resource limits (decision 0029): every name and string a rule set carries is capped, and no
/// expression may ask for more work or memory than a small constant bound times what the item holds.
/// </summary>
public sealed class ResourceLimitTests
{
    private static readonly string Huge = new('n', 100_000);

    public static TheoryData<string, string, string?, string?> OversizedStrings => new()
    {
        // why, rule set JSON, rule named, field named
        { "RuleName", Set($$"""{ "RuleName": "{{Huge}}", "Expression": "true" }"""), Label(Huge), "RuleName" },
        { "nested RuleName", Set($$"""{ "RuleName": "a", "Operator": "And", "Rules": [ { "RuleName": "{{new string('n', 101)}}", "Expression": "true" } ] }"""), "a/" + Label(new string('n', 101)), "RuleName" },
        { "SuccessEvent", Set($$"""{ "RuleName": "a", "SuccessEvent": "{{new string('s', 501)}}", "Expression": "true" }"""), "a", "SuccessEvent" },
        { "ErrorMessage", Set($$"""{ "RuleName": "a", "ErrorMessage": "{{new string('e', 501)}}", "Expression": "true" }"""), "a", "ErrorMessage" },
        { "SuccessMessage", Set($$"""{ "RuleName": "a", "SuccessMessage": "{{new string('e', 501)}}", "Expression": "true" }"""), "a", "SuccessMessage" },
        { "Operator", Set($$"""{ "RuleName": "a", "Operator": "{{new string('o', 101)}}", "Rules": [ { "RuleName": "b", "Expression": "true" } ] }"""), "a", "Operator" },
        { "LocalParams name", Set($$"""{ "RuleName": "a", "LocalParams": [ { "Name": "{{new string('p', 101)}}", "Expression": "1" } ], "Expression": "true" }"""), "a", "LocalParams[0].Name" },
        { "GlobalParams name", $$"""{ "WorkflowName": "r", "GlobalParams": [ { "Name": "{{new string('g', 101)}}", "Expression": "1" } ], "Rules": [ { "RuleName": "a", "Expression": "true" } ] }""", null, "GlobalParams[0].Name" },
        { "action name", Set($$"""{ "RuleName": "a", "Expression": "true", "Actions": { "OnSuccess": { "Name": "{{Huge}}" } } }"""), "a", "Actions.OnSuccess.Name" },
        { "action context key", Set($$"""{ "RuleName": "a", "Expression": "true", "Actions": { "OnSuccess": { "Name": "OutputExpression", "Context": { "expression": "1", "{{new string('k', 101)}}": "x" } } } }"""), "a", "Actions.OnSuccess.Context" },
        { "action context value", Set($$"""{ "RuleName": "a", "Expression": "true", "Actions": { "OnSuccess": { "Name": "EvaluateRule", "Context": { "workflowName": "r", "ruleName": "{{Huge}}" } } } }"""), "a", "Actions.OnSuccess.Context.ruleName" },
        { "Properties key", Set($$"""{ "RuleName": "a", "Expression": "true", "Properties": { "x-{{new string('k', 100)}}": "note" } }"""), "a", "Properties" },
        { "Properties note", Set($$"""{ "RuleName": "a", "Expression": "true", "Properties": { "x-why": "{{new string('w', 1_001)}}" } }"""), "a", "Properties.x-why" },
        { "WorkflowsToInject entry", $$"""{ "WorkflowName": "r", "WorkflowsToInject": [ "{{Huge}}" ], "Rules": [ { "RuleName": "a", "Expression": "true" } ] }""", null, "WorkflowsToInject[0]" },
        { "rule's WorkflowsToInject entry", Set($$"""{ "RuleName": "a", "Expression": "true", "WorkflowsToInject": [ "{{Huge}}" ] }"""), "a", "WorkflowsToInject[0]" },
        { "member outside the schema: name", $$"""{ "WorkflowName": "r", "{{Huge}}": 1, "Rules": [ { "RuleName": "a", "Expression": "true" } ] }""", null, null },
        { "member outside the schema: text", $$"""{ "WorkflowName": "r", "Description": "{{Huge}}", "Rules": [ { "RuleName": "a", "Expression": "true" } ] }""", null, "Description" },
        { "ignored expression of an Operator rule", Set($$"""{ "RuleName": "a", "Operator": "And", "Expression": "{{Huge}}", "Rules": [ { "RuleName": "b", "Expression": "true" } ] }"""), "a", "Expression" },
    };

    public static TheoryData<string, string> Amplifiers => new()
    {
        // Formats: constants, short, with a small precision.
        { "D100000000", "feedback.Customer.FeedbackCount.ToString(\"D100000000\").Length > 0" },
        { "N99999", "feedback.SentimentScore.ToString(\"N99999\") != \"\"" },
        { "precision past int", "feedback.SentimentScore.ToString(\"F99999999999\") != \"\"" },
        { "format from the input", "feedback.Customer.FeedbackCount.ToString(feedback.Comment) != \"\"" },
        { "long custom format", "feedback.SubmittedAt.ToString(\"" + new string('y', 500) + "\") != \"\"" },
        { "custom numeric run", "feedback.SentimentScore.ToString(\"" + new string('0', 200) + "\") != \"\"" },
        { "not a format of the type", "feedback.Customer.FeedbackCount.ToString(\"Q\") != \"\"" },

        // Widths and counts: constants of at most 1,000.
        { "PadLeft to a huge width", "feedback.Comment.PadLeft(100000000).Length > 0" },
        { "PadRight to a computed width", "feedback.Comment.PadRight(feedback.Customer.FeedbackCount).Length > 0" },

        // APIs that build strings of a requested size or by substitution stay refused.
        { "new string(c, n)", "String('x', 100000000).Length > 0" },
        { "new string(c, n) in lower case", "string('x', 100000000).Length > 0" },
        { "string.Format with an alignment", "String.Format(\"{0,100000000}\", feedback.Score).Length > 0" },
        { "Replace", "feedback.Comment.Replace(\"a\", feedback.Comment).Length > 0" },
        { "Insert", "feedback.Comment.Insert(0, feedback.Comment).Length > 0" },

        // Concatenation of sequences the rule generated.
        { "Concat over Repeat", "String.Concat(Enumerable.Repeat(feedback.Comment, 1000)).Length > 0" },
        { "Join over characters", "String.Join(feedback.Comment, feedback.Comment.ToCharArray()).Length > 0" },
        { "Join over a projection", "String.Join(\",\", feedback.Comment.Split(' ').Select(w => feedback.Comment)).Length > 0" },
        { "Concat over a projection", "String.Concat(feedback.Topics.Select(t => t + feedback.Comment)).Length > 0" },
        { "Join with a separator from the input", "String.Join(feedback.Comment, feedback.Topics.ToArray()).Length > 0" },

        // Collections that hold a copy of the item's text per element, or a product of sequences.
        { "ToList of per-element copies", "feedback.Comment.Split(' ').Select(w => w + feedback.Comment).ToList().Count > 0" },
        { "Distinct of all pairs", "feedback.Comment.Split(' ').SelectMany(a => feedback.Comment.Split(' ').Select(b => a + \" \" + b)).Distinct().Count() > 0" },
        { "ToList of a product", "Enumerable.Repeat(1, 1000).SelectMany(a => Enumerable.Repeat(feedback.Comment, 1000)).ToList().Count > 0" },

        // Doubling: exponential growth from a short expression.
        { "doubling through Select", "new[] { feedback.Comment }" + string.Concat(Enumerable.Repeat(".Select(x => x + x)", 30)) + ".Any(x => x.Length > 0)" },
        { "Concat of repeated Repeat", "String.Concat(Enumerable.Repeat(String.Concat(Enumerable.Repeat(feedback.Comment, 100)), 100)).Length > 0" },
    };

    [Theory]
    [MemberData(nameof(OversizedStrings))]
    public async Task An_oversized_string_is_refused_naming_the_rule_and_the_field_with_the_limit(string why, string json, string? rule, string? field)
    {
        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, json));

        Assert.False(validation.IsValid, why);
        var problem = Assert.Single(validation.Errors, e => e.Code == "limit");
        Assert.Equal((rule, field), (problem.Rule, problem.Field));
        Assert.Matches(@"at most [\d,]+", problem.Message);
        Assert.True(problem.Message.Length < 400, $"{why}: the message echoes the text: {problem.Message.Length} characters");
        Assert.True(problem.Key.Length < 300, why);
    }

    [Fact]
    public async Task Names_and_strings_at_their_caps_are_accepted()
    {
        var name = new string('n', 100);
        var json = $$"""
            { "WorkflowName": "r", "Description": "{{new string('d', 1_000)}}",
              "GlobalParams": [ { "Name": "{{new string('g', 100)}}", "Expression": "1" } ],
              "Rules": [ { "RuleName": "{{name}}", "SuccessEvent": "{{new string('s', 500)}}", "ErrorMessage": "{{new string('e', 500)}}", "Expression": "true",
                           "LocalParams": [ { "Name": "{{new string('p', 100)}}", "Expression": "2" } ],
                           "Properties": { "x-{{new string('k', 98)}}": "{{new string('w', 1_000)}}", "tags": "{{new string('t', 200)}}" } } ] }
            """;

        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, json));

        Assert.True(validation.IsValid, string.Join("\n", validation.Errors));
    }

    [Theory]
    [MemberData(nameof(Amplifiers))]
    public async Task An_allocation_amplifier_is_refused_naming_the_rule(string why, string expression)
    {
        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, ValidationTests.Leaf(expression)));

        Assert.False(validation.IsValid, why);
        var problem = Assert.Single(validation.Errors);
        Assert.Equal(("a", "Expression", "forbidden"), (problem.Rule, problem.Field, problem.Code));
    }

    [Fact]
    public async Task Doubling_through_parameters_is_refused_at_the_parameter_that_grows_too_far()
    {
        var locals = string.Join(", ", Enumerable.Range(1, 10).Select(i => $$"""{ "Name": "x{{i}}", "Expression": "{{(i == 1 ? "feedback.Comment" : $"x{i - 1}")}} + {{(i == 1 ? "feedback.Comment" : $"x{i - 1}")}}" }"""));

        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, Set($$"""{ "RuleName": "a", "LocalParams": [ {{locals}} ], "Expression": "x10.Length > 0" }""")));

        // Later parameters do not compile without x5: only the first refusal matters.
        var problem = Assert.Single(validation.Errors, e => e.Code == "forbidden");
        Assert.Equal(("a", "LocalParams.x5"), (problem.Rule, problem.Field));
        Assert.Contains("32", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("feedback.SentimentScore.ToString(\"F1\") == \"0.5\"")]
    [InlineData("feedback.SubmittedAt.ToString(\"yyyy-MM-dd\") == \"2026-11-20\"")]
    [InlineData("feedback.SubmittedAt.ToString(\"dddd, dd MMMM yyyy HH:mm:ss zzz\") != \"\"")]
    [InlineData("feedback.Customer.FeedbackCount.ToString().PadLeft(3) == \"  1\"")]
    [InlineData("feedback.Customer.FeedbackCount.ToString(\"D3\") == \"001\" || feedback.Customer.FeedbackCount.ToString(\"N0\") != \"\"")]
    [InlineData("feedback.Customer.FeedbackCount.ToString(\"X8\") != \"\" && feedback.SentimentScore.ToString(\"0.00\") != \"\" && feedback.SentimentScore.ToString(\"P99\") != \"\"")]
    [InlineData("(feedback.Channel + \"/\" + feedback.Source) == \"email/web-survey\"")]
    [InlineData("String.Join(\",\", feedback.Topics.ToArray()) != \"x\" && String.Concat(feedback.Topics.Where(t => t != \"\").ToArray()).Length >= 0 && String.Join(\"-\", feedback.Channel, feedback.Source) != \"\"")]
    [InlineData("String.Concat(Enumerable.Repeat(\"ab\", 10)) != \"\" && feedback.Comment.Split(' ').Any(w => w.ToLower() == \"late\")")]
    [InlineData("feedback.Comment.Split(' ').Select(w => w.Trim().ToUpperInvariant()).Any(w => w == \"LATE\")")]
    [InlineData("feedback.Comment.Split(' ').Select(w => w.ToLower()).Distinct().Count() > 3 && feedback.Topics.OrderBy(t => t).ToList().Count >= 0")]
    [InlineData("String.Join(\", \", feedback.Topics.Select(t => t.ToUpper() + \"!\").ToArray()) != \"x\"")]
    [InlineData("feedback.Attributes.Values.Any(v => v.PadLeft(10) != \"\") && Lists.Value(feedback.Attributes, \"plan\").ToLower() != \"gold\"")]
    [InlineData("feedback.SubmittedAt.Year > 2000 && feedback.SubmittedAt.ToString(\"o\") != \"\" && feedback.SubmittedAt.TimeOfDay.ToString(\"c\") != \"\"")]
    public async Task Legitimate_formats_padding_and_concatenation_pass(string expression)
    {
        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, ValidationTests.Leaf(expression)));

        Assert.True(validation.IsValid, string.Join("\n", validation.Errors));
    }

    [Fact]
    public async Task Quadratic_scans_that_build_small_strings_still_pass_and_are_left_to_the_time_budget()
    {
        // The runaway rule the fallback tests rely on: polynomial in the item, bounded by the evaluation budget.
        var json = Set("""
            { "RuleName": "a", "LocalParams": [ { "Name": "words", "Expression": "feedback.Comment.Split(' ')" } ],
              "Expression": "words.SelectMany(a => words.Select(b => a + \" \" + b)).Any(p => Text.ContainsWord(p, \"money back\"))" }
            """);

        var validation = await FeedbackRules.Engine().ValidateAsync(new RuleSetDefinition("r", 1, 100, json));

        Assert.True(validation.IsValid, string.Join("\n", validation.Errors));
    }

    [Fact]
    public async Task An_error_message_in_an_explanation_is_capped()
    {
        // .NET quotes the unparsable text in the exception: a long comment would be copied into every item's explanation.
        var routed = await MergeTests.Route(FeedbackRules.Facts(3, new string('9', 5_000) + "x"), (Set("""{ "RuleName": "a", "Expression": "int.Parse(feedback.Comment) > 1" }"""), 10));

        var error = Assert.Single(routed.RuleSets[0].Rules).Error;
        Assert.NotNull(error);
        Assert.InRange(error.Length, 1, 501);
    }

    private static string Set(string rules) => ValidationTests.Set(rules);

    private static string Label(string name) => name.Length <= 100 ? name : name[..32] + "…";
}
