namespace ClosedLoop.Rules.Validation;

/// <summary>Collects errors and warnings while a rule set is checked.</summary>
internal sealed class Problems
{
    private readonly List<RuleSetProblem> _errors = [];
    private readonly List<RuleSetProblem> _warnings = [];

    public IReadOnlyList<RuleSetProblem> Errors => _errors;

    public IReadOnlyList<RuleSetProblem> Warnings => _warnings;

    public bool HasErrors => _errors.Count > 0;

    public void Error(string? rule, string? field, string code, string message) => _errors.Add(new RuleSetProblem(rule, field, code, message));

    public void Warning(string? rule, string? field, string code, string message) => _warnings.Add(new RuleSetProblem(rule, field, code, message));

    public RuleSetValidation ToValidation(string? name) => new(name, [.. _errors], [.. _warnings]);
}
