using System.Linq.Dynamic.Core;
using System.Linq.Dynamic.Core.Exceptions;
using System.Linq.Expressions;
using System.Reflection;

namespace ClosedLoop.Workflows.Definitions;

/// <summary>
/// The facts about the case an instance runs for, as expressions see them (<c>case.Priority == "High"</c>).
/// The runtime fills it from the case module's contract; the engine itself knows no module.
/// </summary>
public sealed record CaseFacts(
    Guid Id,
    string Status,
    string Priority,
    string? Team,
    string? RootCause,
    string Channel,
    int? Score,
    string? Sentiment,
    int ReopenCount,
    DateTimeOffset OpenedAt,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? ResolvedAt,
    IReadOnlyList<string> Tags);

/// <summary>
/// Compiles <c>Expression</c> inputs with System.Linq.Dynamic.Core. The parameter set, in this order: one parameter per
/// validly named variable (first declaration wins), named as declared and typed String → <see cref="string"/>, Number → <see cref="decimal"/>,
/// Boolean → <see cref="bool"/>, Object → <see cref="object"/>; then <c>case</c> of type <see cref="CaseFacts"/>.
/// Method calls are limited to an allow-list (strings, LINQ over sequences, Math, dates); expressions are length-capped.
/// </summary>
public static class WorkflowExpressionCompiler
{
    public const string CaseParameterName = "case";
    public const int MaxExpressionLength = 1000;

    private static readonly ParsingConfig Config = new()
    {
        AllowNewToEvaluateAnyType = false,
        ResolveTypesBySimpleName = false,
        EvaluateGroupByAtDatabase = false,
    };

    private static readonly HashSet<Type> AllowedMethodOwners =
    [
        typeof(string), typeof(Enumerable), typeof(Queryable), typeof(Math), typeof(decimal), typeof(int), typeof(long), typeof(double),
        typeof(bool), typeof(DateTimeOffset), typeof(DateTime), typeof(TimeSpan), typeof(Guid), typeof(Nullable<>), typeof(object),
    ];

    private static readonly HashSet<string> AllowedObjectMethods = new(StringComparer.Ordinal) { "Equals", "ToString", "CompareTo" };

    public static Type ClrType(VariableType type) => type switch
    {
        VariableType.String => typeof(string),
        VariableType.Number => typeof(decimal),
        VariableType.Boolean => typeof(bool),
        _ => typeof(object),
    };

    public static ParameterExpression[] Parameters(IEnumerable<WorkflowVariable> variables) =>
    [
        // Invalid or repeated names are reported by the validator on the variable itself, not on every expression.
        .. variables.Where(v => Identifiers.IsValidVariableName(v.Name)).DistinctBy(v => v.Name, StringComparer.Ordinal)
            .Select(v => Expression.Parameter(ClrType(v.Type), v.Name)),
        Expression.Parameter(typeof(CaseFacts), CaseParameterName),
    ];

    /// <summary>Compiles to a lambda over <see cref="Parameters"/>; the error is a message for an admin.</summary>
    public static bool TryCompile(string expression, IReadOnlyList<WorkflowVariable> variables, out LambdaExpression? lambda, out string? error)
    {
        lambda = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "The expression is empty.";
            return false;
        }

        if (expression.Length > MaxExpressionLength)
        {
            error = $"The expression is longer than {MaxExpressionLength} characters.";
            return false;
        }

        try
        {
            var parsed = DynamicExpressionParser.ParseLambda(Config, Parameters(variables), null, expression);
            var forbidden = new Screen();
            forbidden.Visit(parsed.Body);
            if (forbidden.Violation is { } violation)
            {
                error = $"The expression uses {violation}, which is not allowed.";
                return false;
            }

            lambda = parsed;
            error = null;
            return true;
        }
        catch (ParseException ex)
        {
            error = $"The expression does not compile: {ex.Message}";
            return false;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException)
        {
            error = $"The expression does not compile: {ex.Message}";
            return false;
        }
    }

    private sealed class Screen : ExpressionVisitor
    {
        public string? Violation { get; private set; }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var owner = node.Method.DeclaringType;
            var generic = owner is { IsGenericType: true } ? owner.GetGenericTypeDefinition() : owner;
            var allowed = generic is not null && AllowedMethodOwners.Contains(generic)
                && (generic != typeof(object) || AllowedObjectMethods.Contains(node.Method.Name));
            if (!allowed)
            {
                Violation ??= $"{owner?.Name}.{node.Method.Name}";
            }

            return base.VisitMethodCall(node);
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Member.DeclaringType is { } t && (typeof(MemberInfo).IsAssignableFrom(t) || typeof(Assembly).IsAssignableFrom(t)))
            {
                Violation ??= $"{t.Name}.{node.Member.Name}";
            }

            return base.VisitMember(node);
        }

        protected override Expression VisitConstant(ConstantExpression node)
        {
            if (node.Value is Type or MemberInfo or Assembly)
            {
                Violation ??= "a type literal";
            }

            return base.VisitConstant(node);
        }
    }
}
