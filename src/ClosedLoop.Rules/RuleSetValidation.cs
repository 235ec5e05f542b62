using ClosedLoop.SharedKernel;

namespace ClosedLoop.Rules;

/// <summary>One reason a rule set is rejected (an error) or worth a second look (a warning).</summary>
/// <param name="Rule">The rule's path (<c>parent/child</c> for nested rules), or null for the rule set as a whole.</param>
/// <param name="Field">Where in the rule (<c>Expression</c>, <c>LocalParams.isLate</c>, <c>Properties.priority</c>, …), or null.</param>
/// <param name="Code">Stable machine-readable reason: <c>json</c>, <c>schema</c>, <c>compile</c>, <c>forbidden</c>, <c>limit</c>, <c>property</c>, <c>reference</c>, <c>inject</c>, <c>action</c>, <c>dry-run</c>, <c>busy</c>.</param>
/// <param name="Message">What is wrong, for a person.</param>
public sealed record RuleSetProblem(string? Rule, string? Field, string Code, string Message)
{
    /// <summary>The key under which the API reports it: <c>rules/&lt;path&gt;.&lt;field&gt;</c>, or <c>ruleSet</c>.</summary>
    public string Key => Rule is null
        ? Field is null ? "ruleSet" : Field
        : Field is null ? $"rules/{Rule}" : $"rules/{Rule}.{Field}";
}

/// <summary>The outcome of validating a rule set: accepted when it has no errors.</summary>
/// <param name="Name">The rule set's name.</param>
/// <param name="Errors">Reasons to reject it (each names the rule and the reason).</param>
/// <param name="Warnings">Accepted, but worth knowing (unknown JSON members, rules that failed on a sample).</param>
public sealed record RuleSetValidation(string? Name, IReadOnlyList<RuleSetProblem> Errors, IReadOnlyList<RuleSetProblem> Warnings)
{
    /// <summary>True when there are no errors.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>The errors as a validation <see cref="Error"/> (field → messages) for a 422 problem response.</summary>
    public Error ToError() => Error.Validation(
        Errors.GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal),
        $"The rule set is not valid: {Errors.Count} problem(s).");
}
