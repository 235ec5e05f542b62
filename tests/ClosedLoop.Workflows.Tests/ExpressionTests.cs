using System.Linq.Expressions;
using System.Text.Json;
using ClosedLoop.Workflows.Definitions;

namespace ClosedLoop.Workflows.Tests;

/// <summary>The documented parameter set: the variables, typed, then <c>case</c>.</summary>
public sealed class ExpressionTests
{
    private static readonly WorkflowVariable[] Variables =
    [
        new("attempts", VariableType.Number, JsonSerializer.SerializeToElement(2)),
        new("note", VariableType.String, null),
        new("vip", VariableType.Boolean, null),
    ];

    [Fact]
    public void Variables_and_case_facts_compile_and_evaluate()
    {
        Assert.True(WorkflowExpressionCompiler.TryCompile(
            "vip || (attempts < 3 && case.Priority == \"High\" && case.Tags.Contains(\"angry\") && note.Length == 0)", Variables, out var lambda, out var error), error);

        var facts = new CaseFacts(Guid.NewGuid(), "Open", "High", null, null, "email", 2, "negative", 0, DateTimeOffset.UtcNow, null, null, ["angry"]);
        var result = lambda!.Compile().DynamicInvoke(2m, "", false, facts);

        Assert.Equal(typeof(bool), lambda.ReturnType);
        Assert.Equal(true, result);
        Assert.Equal(["attempts", "note", "vip", "case"], WorkflowExpressionCompiler.Parameters(Variables).Select(p => p.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("attempts +")]
    [InlineData("unknown > 1")]
    [InlineData("typeof(string) != null")]
    [InlineData("case.Id.GetType() != null")]
    public void Broken_or_forbidden_expressions_are_refused(string text)
    {
        Assert.False(WorkflowExpressionCompiler.TryCompile(text, Variables, out LambdaExpression? lambda, out var error));
        Assert.Null(lambda);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Long_expressions_are_refused()
    {
        Assert.False(WorkflowExpressionCompiler.TryCompile(string.Join(" || ", Enumerable.Repeat("vip", 300)), Variables, out _, out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("01:30:00", true)]
    [InlineData("2.00:00:00", true)]
    [InlineData("90", false)]
    [InlineData("1:30", false)]
    [InlineData("-01:00:00", false)]
    public void Durations_are_hh_mm_ss_or_d_hh_mm_ss(string text, bool valid)
    {
        Assert.Equal(valid, WorkflowDurations.TryParseLiteral(text, out _));
    }
}
