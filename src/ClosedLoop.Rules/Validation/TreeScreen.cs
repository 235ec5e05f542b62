using System.Linq.Dynamic.Core;
using System.Linq.Expressions;
using System.Reflection;

namespace ClosedLoop.Rules.Validation;

/// <summary>
/// Walks a parsed expression tree and refuses anything outside an allow-list: the input's own data, a few
/// framework value types, string and LINQ operations, and the registered helpers. System.Linq.Dynamic.Core
/// alone lets <c>feedback.GetType().Assembly</c> through, so this walk is what keeps rules in bounds.
/// Unbounded sequence builders (<c>Enumerable.Range</c>/<c>Repeat</c>, padding) are allowed only with a small
/// constant count, and format strings only as short literals (<see cref="FormatStrings"/>). What strings an
/// allowed expression can build is bounded by <see cref="SizeScreen"/>.
/// </summary>
internal sealed class TreeScreen
{
    private const int MaxConstantCount = 1_000;

    private static readonly HashSet<Type> ValueTypes =
    [
        typeof(object), typeof(string), typeof(bool), typeof(char), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal),
        typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(DateOnly), typeof(TimeOnly), typeof(Guid),
        typeof(DayOfWeek), typeof(StringComparison), typeof(StringSplitOptions), typeof(MidpointRounding),
        typeof(System.Collections.IEnumerable),
    ];

    private static readonly HashSet<string> StringMethods =
    [
        "Contains", "StartsWith", "EndsWith", "IndexOf", "IndexOfAny", "LastIndexOf", "ToLower", "ToUpper",
        "ToLowerInvariant", "ToUpperInvariant", "Trim", "TrimStart", "TrimEnd", "Substring", "Equals", "Compare",
        "CompareTo", "CompareOrdinal", "IsNullOrEmpty", "IsNullOrWhiteSpace", "Split", "Concat", "Join", "get_Chars",
        "get_Length", "ToString", "GetHashCode", "ToCharArray",
    ];

    private static readonly HashSet<string> BoundedStringMethods = ["PadLeft", "PadRight"];

    private static readonly HashSet<string> CollectionMethods =
    [
        "get_Item", "get_Count", "get_Keys", "get_Values", "ContainsKey", "ContainsValue", "Contains", "IndexOf",
        "get_Key", "get_Value", "GetEnumerator", "ToString", "Equals", "GetHashCode",
    ];

    private static readonly HashSet<string> ConvertMethods =
        ["ToBoolean", "ToInt32", "ToInt64", "ToDouble", "ToDecimal", "ToString", "ToDateTime", "ToChar"];

    private static readonly HashSet<Type> GenericCollections =
    [
        typeof(IEnumerable<>), typeof(IOrderedEnumerable<>), typeof(IGrouping<,>), typeof(ILookup<,>), typeof(List<>),
        typeof(Dictionary<,>), typeof(HashSet<>), typeof(IList<>), typeof(ICollection<>), typeof(IDictionary<,>),
        typeof(IReadOnlyList<>), typeof(IReadOnlyCollection<>), typeof(IReadOnlyDictionary<,>), typeof(IReadOnlySet<>),
        typeof(ISet<>), typeof(KeyValuePair<,>), typeof(Nullable<>), typeof(IEnumerator<>), typeof(IEquatable<>),
        typeof(IComparable<>), typeof(IEqualityComparer<>), typeof(IComparer<>),
    ];

    private readonly HashSet<Type> _data;
    private readonly HashSet<Type> _helpers;

    public TreeScreen(Type input, IEnumerable<Type> helpers)
    {
        _helpers = [.. helpers];
        _data = [];
        Reach(input);
    }

    /// <summary>The first reason <paramref name="expression"/> is refused, or null when it stays in bounds.</summary>
    public string? Check(Expression expression)
    {
        var walker = new Walker(this);
        walker.Visit(expression);
        return walker.Problem;
    }

    /// <summary>Types rules may hold values of.</summary>
    internal bool IsSafe(Type type)
    {
        if (ValueTypes.Contains(type) || _data.Contains(type) || type.IsSubclassOf(typeof(DynamicClass)) || type == typeof(DynamicClass))
        {
            return true;
        }

        if (type.IsEnum)
        {
            return type.Namespace == "System" || _data.Any(d => d.Namespace == type.Namespace);
        }

        if (type.IsArray)
        {
            return type.GetArrayRank() == 1 && IsSafe(type.GetElementType()!);
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var delegates = definition.Namespace == "System" && (definition.Name.StartsWith("Func`", StringComparison.Ordinal) || definition == typeof(Predicate<>));
            return (GenericCollections.Contains(definition) || delegates) && type.GetGenericArguments().All(IsSafe);
        }

        return false;
    }

    private string? CheckCall(MethodCallExpression call)
    {
        var method = call.Method;
        var declaring = method.DeclaringType!;
        if (method.Name == nameof(GetType))
        {
            return "GetType() is not allowed: expressions cannot inspect types";
        }

        if (method.GetParameters().Any(FormatStrings.IsFormat) && FormatStrings.Check(call) is { } format)
        {
            return format;
        }

        if (method.IsGenericMethod && !method.GetGenericArguments().All(IsSafe))
        {
            return $"{declaring.Name}.{method.Name} with type arguments {string.Join(", ", method.GetGenericArguments().Select(t => t.Name))} is not allowed";
        }

        if (declaring == typeof(Enumerable))
        {
            return method.Name switch
            {
                nameof(Enumerable.Range) or nameof(Enumerable.Repeat) => Bounded(call, 1, $"Enumerable.{method.Name}"),

                // An accumulator can double its value per element: exponential memory from a linear input.
                nameof(Enumerable.Aggregate) => "Aggregate is not allowed in rules: use Count, Sum, Any or All",
                _ => null,
            };
        }

        if (declaring == typeof(string))
        {
            return StringMethods.Contains(method.Name) ? null
                : BoundedStringMethods.Contains(method.Name) ? Bounded(call, 0, $"string.{method.Name}")
                : $"string.{method.Name} is not allowed in rules";
        }

        if (declaring == typeof(Helpers.Text) && method.Name == nameof(Helpers.Text.Matches) && call.Arguments[1] is ConstantExpression { Value: string pattern })
        {
            try
            {
                Helpers.Text.Pattern(pattern);
            }
            catch (ArgumentException ex)
            {
                return $"'{pattern}' is not a valid regular expression: {ex.Message}";
            }
        }

        if (_helpers.Contains(declaring) || declaring == typeof(Math))
        {
            return null;
        }

        if (declaring == typeof(Convert))
        {
            return ConvertMethods.Contains(method.Name) ? null : $"Convert.{method.Name} is not allowed in rules";
        }

        if (method.Name is "ToString" or "Equals" or "CompareTo" or "GetHashCode" && IsSafe(declaring))
        {
            return null;
        }

        if (declaring.IsGenericType && GenericCollections.Contains(declaring.GetGenericTypeDefinition()) && IsSafe(declaring))
        {
            return CollectionMethods.Contains(method.Name) || method.Name.StartsWith("get_", StringComparison.Ordinal)
                ? null
                : $"{Describe(declaring)}.{method.Name} is not allowed in rules (collections are read-only)";
        }

        if (ValueTypes.Contains(declaring) && declaring != typeof(object) && declaring.IsValueType)
        {
            return null;
        }

        return $"{Describe(declaring)}.{method.Name} is not allowed: rules may call only string, LINQ, Math and the registered helpers";
    }

    private static string? Bounded(MethodCallExpression call, int argument, string what) =>
        call.Arguments.Count > argument && call.Arguments[argument] is ConstantExpression { Value: int count } && count <= MaxConstantCount
            ? null
            : $"{what} builds unbounded sequences: its count must be a constant of at most {MaxConstantCount}";

    private static string Describe(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
        : type.Name;

    /// <summary>The input and every type reachable through its public properties are data rules may read.</summary>
    private void Reach(Type type)
    {
        if (IsSafe(type) || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true && !type.IsGenericType)
        {
            return;
        }

        if (type.IsGenericType || type.IsArray)
        {
            foreach (var argument in type.IsArray ? [type.GetElementType()!] : type.GetGenericArguments())
            {
                Reach(argument);
            }

            return;
        }

        _data.Add(type);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Reach(property.PropertyType);
        }
    }

    private sealed class Walker(TreeScreen screen) : ExpressionVisitor
    {
        public string? Problem { get; private set; }

        public override Expression? Visit(Expression? node)
        {
            if (node is null || Problem is not null)
            {
                return node;
            }

            Problem = Check(node);
            return Problem is null ? base.Visit(node) : node;
        }

        private string? Check(Expression node)
        {
            var refused = node switch
            {
                MethodCallExpression call => screen.CheckCall(call),
                MemberExpression member when member.Member.DeclaringType is { } declaring && !screen.IsSafe(declaring) && declaring != typeof(Math) =>
                    $"{Describe(declaring)}.{member.Member.Name} is not allowed in rules",
                ConstantExpression { Value: Type or MemberInfo or Delegate } => "type and code constants are not allowed in rules",
                NewExpression created when !screen.IsSafe(created.Type) || created.Type == typeof(string) =>
                    $"creating {Describe(created.Type)} is not allowed in rules",
                NewArrayExpression { NodeType: ExpressionType.NewArrayBounds } => "arrays of a computed size are not allowed in rules",
                IndexExpression index when index.Indexer?.DeclaringType is { } owner && !screen.IsSafe(owner) =>
                    $"indexing {Describe(owner)} is not allowed in rules",
                InvocationExpression => "invoking delegates is not allowed in rules",
                BlockExpression or LoopExpression or GotoExpression or TryExpression or DynamicExpression or RuntimeVariablesExpression =>
                    $"{node.NodeType} is not allowed in rules",
                _ => null,
            };
            return refused ?? (screen.IsSafe(node.Type) || node.Type == typeof(void) || node is LambdaExpression
                ? null
                : $"values of type {Describe(node.Type)} are not allowed in rules");
        }
    }
}
