using System.Globalization;
using System.Linq.Expressions;
using System.Numerics;
using System.Reflection;

namespace ClosedLoop.Rules.Validation;

/// <summary>
/// Format strings in rules (<c>ToString("F1")</c>, <c>ParseExact(text, "yyyy-MM-dd", null)</c>) are constants,
/// short, and ask for little: .NET pads a standard format's precision with zeros without limit below a billion,
/// so <c>ToString("D100000000")</c> is one call that builds a 200 MB string. A format must be a literal of at
/// most <see cref="MaxLength"/> characters; a standard numeric format's precision is at most
/// <see cref="MaxPrecision"/> (the limit .NET itself had until .NET Core 2.1); and the format must be one the
/// value's type accepts, which is tried once here on a sample value rather than failing on every item.
/// </summary>
internal static class FormatStrings
{
    /// <summary>Characters a format string may have: a custom format's output grows with its length.</summary>
    public const int MaxLength = 64;

    /// <summary>The largest precision of a standard numeric format (<c>N99</c>, <c>D99</c>).</summary>
    public const int MaxPrecision = 99;

    /// <summary>What a string produced by an accepted format can measure at most (e.g. <c>N99</c> of <see cref="double.MaxValue"/>: 510).</summary>
    public const int MaxOutput = 512;

    private static readonly HashSet<Type> Numbers =
    [
        typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(float), typeof(double), typeof(decimal), typeof(Half), typeof(Int128), typeof(UInt128), typeof(BigInteger),
    ];

    /// <summary>True when <paramref name="parameter"/> takes a format string (or several).</summary>
    public static bool IsFormat(ParameterInfo parameter) =>
        (parameter.ParameterType == typeof(string) && parameter.Name == "format")
        || (parameter.ParameterType == typeof(string[]) && parameter.Name == "formats");

    /// <summary>The first reason a format argument of <paramref name="call"/> is refused, or null.</summary>
    public static string? Check(MethodCallExpression call)
    {
        var parameters = call.Method.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            if (!IsFormat(parameters[i]))
            {
                continue;
            }

            var what = $"{call.Method.DeclaringType!.Name}.{call.Method.Name}";
            var formats = Literals(call.Arguments[i]);
            if (formats is null)
            {
                return $"{what}: a format must be a string literal written in the rule, not computed";
            }

            // Formatting (not parsing) is tried on a sample, so an invalid format is refused now, not on every item.
            var sample = call.Method.Name == nameof(ToString) && call.Object is not null ? call.Object.Type : null;
            if (formats.Select(f => Check(f, sample)).FirstOrDefault(p => p is not null) is { } problem)
            {
                return $"{what}: {problem}";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="format"/> is refused for formatting a <paramref name="type"/> (null: parsing, not formatting), or null.</summary>
    public static string? Check(string? format, Type? type)
    {
        if (string.IsNullOrEmpty(format))
        {
            return null;
        }

        if (format.Length > MaxLength)
        {
            return $"the format has {format.Length:N0} characters; at most {MaxLength} are allowed";
        }

        if (type is not null && Numbers.Contains(type) && Precision(format) is { } precision && precision > MaxPrecision)
        {
            return $"'{format}' asks for {precision:N0} digits; a format's precision may be at most {MaxPrecision}";
        }

        if (type is null || !typeof(IFormattable).IsAssignableFrom(type) || !type.IsValueType)
        {
            return null;
        }

        try
        {
            _ = ((IFormattable)Activator.CreateInstance(type)!).ToString(format, CultureInfo.InvariantCulture);
            return null;
        }
        catch (FormatException)
        {
            return $"'{format}' is not a format for {type.Name}";
        }
    }

    /// <summary>
    /// The precision of a standard numeric format (a letter, then digits: <c>D100000000</c> → 100000000), or null
    /// for a custom format. Digits past any integer's range count as the largest precision.
    /// </summary>
    public static BigInteger? Precision(string format) =>
        format.Length > 1 && char.IsAsciiLetter(format[0]) && format.Skip(1).All(char.IsAsciiDigit)
            ? BigInteger.Parse(format.AsSpan(1), CultureInfo.InvariantCulture)
            : null;

    private static List<string?>? Literals(Expression argument) => Strip(argument) switch
    {
        ConstantExpression { Value: null } => [null],
        ConstantExpression { Value: string text } => [text],
        ConstantExpression { Value: string[] texts } => [.. texts],
        NewArrayExpression { NodeType: ExpressionType.NewArrayInit } array when array.Expressions.All(e => Strip(e) is ConstantExpression) =>
            [.. array.Expressions.Select(e => ((ConstantExpression)Strip(e)).Value as string)],
        _ => null,
    };

    private static Expression Strip(Expression expression) =>
        expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.TypeAs } unary ? Strip(unary.Operand) : expression;
}
