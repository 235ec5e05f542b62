using System.Collections;
using System.Linq.Dynamic.Core;
using System.Linq.Expressions;

namespace ClosedLoop.Rules.Validation;

/// <summary>At most <c>K·n + C</c> characters, where n is the size of the item (all the text it holds).</summary>
internal readonly record struct Bound(double K, double C)
{
    public static readonly Bound Zero = new(0, 0);

    /// <summary>Anything the item holds: at most all of it.</summary>
    public static readonly Bound Item = new(1, 0);

    public static Bound operator +(Bound a, Bound b) => new(a.K + b.K, a.C + b.C);

    public static Bound Max(Bound a, Bound b) => new(Math.Max(a.K, b.K), Math.Max(a.C, b.C));

    /// <summary><paramref name="a"/> times <paramref name="b"/> when one is a constant; null when both grow with the item.</summary>
    public static Bound? Times(Bound? a, Bound? b) =>
        a is not { } x || b is not { } y || (x.K > 0 && y.K > 0) ? null : new Bound((x.K * y.C) + (y.K * x.C), x.C * y.C);

    public static Bound? Sum(Bound? a, Bound? b) => a is { } x && b is { } y ? x + y : null;
}

/// <summary>
/// What a value can hold: <see cref="Each"/> bounds every string in it (its own text for a string), <see cref="Total"/>
/// all of them together and <see cref="Count"/> how many a sequence has (a string's count is its characters); null
/// when the rule computed them in a way no linear bound covers.
/// </summary>
internal sealed record Size(Bound Each, Bound? Total, Bound? Count)
{
    /// <summary>Data the item holds.</summary>
    public static readonly Size Held = new(Bound.Item, Bound.Item, Bound.Item);

    public static Size Of(Type type, Bound each) => type == typeof(string) ? new(each, each, each) : new(each, each, new Bound(0, 1));
}

/// <summary>
/// Bounds what an expression can build (decision 0029). Every string a rule builds is at most
/// <see cref="MaxFactor"/> times the item's text plus <see cref="MaxConstant"/> characters: concatenation adds
/// sizes, padding adds its constant width, formatting gives a short string; joining a sequence costs the
/// sequence's total, so <c>string.Concat</c>/<c>string.Join</c> take only lists the item holds or lists written
/// in the rule (maybe filtered), never a sequence the rule computed, and a separator is repeated per element only when it
/// is a constant. Repeated doubling (<c>x + x</c> through parameters or <c>Select</c>) therefore stops at a few
/// steps. What this does not bound is work: scanning the item polynomially (pairs of words) is left to the
/// evaluation budget, as it builds nothing that outlives a step.
/// </summary>
internal sealed class SizeScreen
{
    /// <summary>How many times the item's text one built string may hold.</summary>
    public const double MaxFactor = 16;

    /// <summary>Characters of constants (literals, padding, formatted values) one built string may hold.</summary>
    public const double MaxConstant = 10_000;

    private static readonly Bound Unknown = new(0, 256);

    /// <summary>A value that formats to a short text (numbers, dates, …), unlike a generic struct that holds other values (a dictionary's entries).</summary>
    private static bool IsPlain(Type type) => type.IsValueType && (!type.IsGenericType || Nullable.GetUnderlyingType(type) is { IsGenericType: false });

    /// <summary>The first reason <paramref name="expression"/> can build too much, or null, and what its value can hold.</summary>
    /// <param name="expression">A screened expression.</param>
    /// <param name="parameters">What each parameter in scope (the input, LocalParams, GlobalParams) can hold, by name.</param>
    public (string? Problem, Size Size) Check(Expression expression, IReadOnlyDictionary<string, Size> parameters)
    {
        var walk = new Walk(parameters);
        var size = walk.Of(expression);
        return (walk.Problem, size);
    }

    /// <summary>The longest text a value of <paramref name="type"/> formats to without a format string.</summary>
    private static Bound Small(Type type) => new(0, (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(char) => 1,
        var t when t == typeof(bool) => 5,
        var t when t == typeof(byte) || t == typeof(sbyte) || t == typeof(short) || t == typeof(ushort) => 6,
        var t when t == typeof(int) || t == typeof(uint) => 11,
        var t when t == typeof(long) || t == typeof(ulong) => 20,
        var t when t == typeof(float) || t == typeof(double) => 24,
        var t when t == typeof(decimal) => 31,
        _ => 64,
    });

    private sealed class Walk(IReadOnlyDictionary<string, Size> parameters)
    {
        private readonly Dictionary<ParameterExpression, Size> _lambdas = [];

        public string? Problem { get; private set; }

        public Size Of(Expression? node)
        {
            if (node is null)
            {
                return Size.Of(typeof(object), Bound.Zero);
            }

            var size = Measure(node);
            if (node.Type == typeof(string))
            {
                Limit(size.Each);
            }

            return size;
        }

        private Size Measure(Expression node) => node switch
        {
            ConstantExpression constant => Constant(constant.Value, constant.Type),
            ParameterExpression parameter => _lambdas.TryGetValue(parameter, out var bound) ? bound
                : parameter.Name is { } name && parameters.TryGetValue(name, out var named) ? named
                : Size.Held,
            MemberExpression member => Member(member),
            UnaryExpression unary => Unary(unary),
            BinaryExpression binary => Binary(binary),
            ConditionalExpression conditional => Either(Of(conditional.Test), Max(Of(conditional.IfTrue), Of(conditional.IfFalse))),
            NewExpression created => Created(created.Type, created.Arguments),
            MemberInitExpression init => Created(init.Type, [.. init.Bindings.OfType<MemberAssignment>().Select(b => b.Expression)]),
            NewArrayExpression array => Array(array),
            MethodCallExpression call => Call(call),
            LambdaExpression lambda => Lambda(lambda, Size.Held),
            IndexExpression index => Size.Of(index.Type, Each(index.Object).Each),
            _ => Size.Of(node.Type, Small(node.Type)),
        };

        private static Size Either(Size _, Size result) => result;

        private static Size Max(Size a, Size b) => new(
            Bound.Max(a.Each, b.Each),
            a.Total is { } x && b.Total is { } y ? Bound.Max(x, y) : null,
            a.Count is { } m && b.Count is { } n ? Bound.Max(m, n) : null);

        private static Size Constant(object? value, Type type) => value switch
        {
            null => Size.Of(type, Bound.Zero),
            string text => Size.Of(type, new Bound(0, text.Length)),
            Array items when items.Length == 0 => new(Bound.Zero, Bound.Zero, Bound.Zero),
            Array items => Listed([.. items.Cast<object?>().Select(i => Constant(i, i?.GetType() ?? typeof(object)))]),
            _ => Size.Of(type, Small(type)),
        };

        /// <summary>A list written out in the rule: as many as it has, together what they hold.</summary>
        private static Size Listed(IReadOnlyList<Size> items) => new(
            items.Select(i => i.Each).Aggregate(Bound.Zero, Bound.Max),
            items.Aggregate((Bound?)Bound.Zero, (total, i) => Bound.Sum(total, i.Total)),
            new Bound(0, items.Count));

        private Size Member(MemberExpression member)
        {
            if (member.Expression is null)
            {
                return Size.Of(member.Type, Small(member.Type));
            }

            var owner = Of(member.Expression);
            return IsPlain(member.Type) ? Size.Of(member.Type, Small(member.Type)) : owner with { Count = member.Type == typeof(string) ? owner.Each : owner.Count };
        }

        private Size Unary(UnaryExpression unary)
        {
            var operand = Of(unary.Operand);
            return unary.NodeType is ExpressionType.Convert or ExpressionType.ConvertChecked or ExpressionType.TypeAs or ExpressionType.Quote or ExpressionType.Unbox || !IsPlain(unary.Type)
                ? operand
                : Size.Of(unary.Type, Small(unary.Type));
        }

        private Size Binary(BinaryExpression binary)
        {
            var left = Of(binary.Left);
            var right = Of(binary.Right);
            return binary.NodeType switch
            {
                ExpressionType.Add when binary.Type == typeof(string) => Size.Of(binary.Type, Text(binary.Left, left) + Text(binary.Right, right)),
                ExpressionType.Coalesce => Max(left, right),
                ExpressionType.ArrayIndex => Size.Of(binary.Type, left.Each),
                _ => Size.Of(binary.Type, Small(binary.Type)),
            };
        }

        private Size Created(Type type, IReadOnlyList<Expression> arguments)
        {
            var parts = arguments.Select(a => Text(a, Of(a))).ToList();

            // An anonymous object's ToString writes every member with its name.
            var each = IsPlain(type) ? Small(type) : parts.Aggregate(new Bound(0, 64 * (parts.Count + 1)), (sum, p) => sum + p);
            return Size.Of(type, each);
        }

        private Size Array(NewArrayExpression array) => array.NodeType == ExpressionType.NewArrayInit
            ? Listed([.. array.Expressions.Select(Of)])
            : new(Bound.Zero, null, null);

        private Size Call(MethodCallExpression call)
        {
            var method = call.Method;
            var declaring = method.DeclaringType!;
            if (declaring == typeof(Enumerable))
            {
                return Linq(call);
            }

            var receiver = call.Object is null ? null : Of(call.Object);
            if (declaring == typeof(string))
            {
                return Strings(call, receiver);
            }

            var arguments = call.Arguments.Select(Of).ToList();
            if (method.Name == nameof(ToString) && receiver is not null)
            {
                return Size.Of(typeof(string), call.Object!.Type == typeof(string) ? receiver.Each
                    : call.Arguments.Count > 0 && method.GetParameters().Any(FormatStrings.IsFormat) ? new Bound(0, FormatStrings.MaxOutput)
                    : IsPlain(call.Object.Type) ? Small(call.Object.Type)
                    : Text(call.Object, receiver));
            }

            if (declaring == typeof(Convert))
            {
                return Size.Of(call.Type, call.Type != typeof(string) ? Small(call.Type)
                    : call.Arguments[0].Type == typeof(string) ? arguments[0].Each
                    : new Bound(0, 64));
            }

            if (method.Name is "get_Item" or "ElementAt" && receiver is not null)
            {
                return Size.Of(call.Type, receiver.Each);
            }

            if (IsPlain(call.Type))
            {
                return Size.Of(call.Type, Small(call.Type));
            }

            // Collections' Keys and Values are the collection's own data; helpers return the item's data.
            return receiver ?? (call.Type == typeof(string) ? Size.Of(call.Type, Bound.Item) : Size.Held);
        }

        private Size Strings(MethodCallExpression call, Size? receiver)
        {
            var method = call.Method;
            var own = receiver?.Each ?? Bound.Zero;
            switch (method.Name)
            {
                case nameof(string.Concat) when !Sequence(method.GetParameters()[0].ParameterType):
                    return Size.Of(call.Type, call.Arguments.Aggregate(Bound.Zero, (sum, a) => sum + Text(a, Of(a))));
                case nameof(string.Concat):
                    return Joined(Of(call.Arguments[0]), Bound.Zero, "string.Concat");
                case nameof(string.Join):
                    var separator = Of(call.Arguments[0]).Each;
                    return Joined(Of(call.Arguments[1]), separator, "string.Join");
                case nameof(string.PadLeft) or nameof(string.PadRight):
                    var width = call.Arguments[0] is ConstantExpression { Value: int w } ? w : double.PositiveInfinity;
                    return Size.Of(call.Type, own + new Bound(0, width));
                case nameof(string.Split):
                    return new Size(own, own, own + new Bound(0, 1));
                case nameof(string.ToCharArray):
                    return new Size(new Bound(0, 1), own, own);
                default:
                    foreach (var argument in call.Arguments)
                    {
                        Of(argument);
                    }

                    return call.Type == typeof(string) ? Size.Of(call.Type, own) : Size.Of(call.Type, Small(call.Type));
            }
        }

        /// <summary><c>string.Concat</c>/<c>Join</c> of a sequence: what the elements hold together, plus the separator once per element.</summary>
        private Size Joined(Size sequence, Bound separator, string what)
        {
            if (sequence.Total is not { } total || sequence.Count is not { } count)
            {
                Refuse($"{what} may join only a list the item holds or one written in the rule (filtered or ordered at most), not a sequence the rule computes: a computed one can repeat the item's text without limit");
                return Size.Of(typeof(string), Bound.Zero);
            }

            if (Bound.Times(count, separator) is not { } separators)
            {
                Refuse($"{what} repeats its separator once per element: the separator must be a constant when the list grows with the item");
                return Size.Of(typeof(string), Bound.Zero);
            }

            var joined = total + separators;
            Limit(joined);
            return Size.Of(typeof(string), joined);
        }

        private Size Linq(MethodCallExpression call)
        {
            var args = call.Arguments;
            var name = call.Method.Name;
            switch (name)
            {
                case nameof(Enumerable.Range):
                    var range = Constant(args[1]);
                    return new Size(Small(typeof(int)), Bound.Times(range, Small(typeof(int))), range);
                case nameof(Enumerable.Repeat):
                    var element = Of(args[0]);
                    var times = Constant(args[1]);
                    return new Size(element.Each, Bound.Times(times, element.Total), times);
                case nameof(Enumerable.Empty):
                    return new Size(Bound.Zero, Bound.Zero, Bound.Zero);
            }

            var source = Of(args[0]);
            switch (name)
            {
                case nameof(Enumerable.Select):
                    var projected = Lambda(args[1], source);
                    return new Size(projected.Each, Bound.Times(source.Count, projected.Total), source.Count);
                case nameof(Enumerable.SelectMany):
                    var inner = Lambda(args[1], source);
                    var each = args.Count > 2 ? Lambda(args[2], source, inner).Each : inner.Each;
                    var pairs = Bound.Times(source.Count, inner.Count);
                    return new Size(each, Bound.Times(pairs, each), pairs);
                case nameof(Enumerable.Concat) or nameof(Enumerable.Union) or nameof(Enumerable.UnionBy) or nameof(Enumerable.Append) or nameof(Enumerable.Prepend):
                    var other = Of(args[1]);
                    foreach (var selector in args.Skip(2))
                    {
                        Lambda(selector, source);
                    }

                    return new Size(Bound.Max(source.Each, other.Each), Bound.Sum(source.Total, other.Total), Bound.Sum(source.Count, other.Count));
                case nameof(Enumerable.Zip) or nameof(Enumerable.Join) or nameof(Enumerable.GroupJoin):
                    var second = Of(args[1]);
                    var last = args[^1] is UnaryExpression or LambdaExpression ? Lambda(args[^1], source, second) : Max(source, second);
                    foreach (var key in args.Skip(2).Take(args.Count - 3))
                    {
                        Lambda(key, source, second);
                    }

                    return new Size(last.Each, null, null);
            }

            // Filters, orderings, groupings and lookups hold the source's elements; selectors are checked like any lambda.
            var selected = args.Skip(1).Where(IsLambda).Select(a => Lambda(a, source)).ToList();
            foreach (var argument in args.Skip(1).Where(a => !IsLambda(a)))
            {
                Of(argument);
            }

            if (IsPlain(call.Type))
            {
                return Size.Of(call.Type, Small(call.Type));
            }

            var holds = selected.Aggregate(source.Each, (max, s) => Bound.Max(max, s.Each));
            if (name is nameof(Enumerable.GroupBy) or nameof(Enumerable.ToDictionary) or nameof(Enumerable.ToLookup))
            {
                return new Size(holds, null, source.Count);
            }

            return call.Type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(call.Type)
                ? Size.Of(call.Type, holds) with { Total = source.Total }
                : source with { Each = holds };
        }

        private static bool IsLambda(Expression argument) => argument is LambdaExpression or UnaryExpression { Operand: LambdaExpression };

        /// <summary>The lambda's body, its parameters standing for elements of <paramref name="sources"/> in order (an index parameter is small).</summary>
        private Size Lambda(Expression argument, params Size[] sources)
        {
            var lambda = argument switch
            {
                LambdaExpression l => l,
                UnaryExpression { Operand: LambdaExpression l } => l,
                _ => null,
            };
            if (lambda is null)
            {
                return Of(argument);
            }

            for (var i = 0; i < lambda.Parameters.Count; i++)
            {
                var parameter = lambda.Parameters[i];
                _lambdas[parameter] = IsPlain(parameter.Type) ? Size.Of(parameter.Type, Small(parameter.Type))
                    : sources[Math.Min(i, sources.Length - 1)] is var source && parameter.Type == typeof(string) ? Size.Of(typeof(string), source.Each)
                    : source;
            }

            return Of(lambda.Body);
        }

        private static Bound? Constant(Expression count) => count is ConstantExpression { Value: int n } ? new Bound(0, n) : null;

        /// <summary>What <paramref name="value"/> adds to a string it is concatenated into.</summary>
        private static Bound Text(Expression value, Size size) =>
            value.Type == typeof(string) || IsPlain(value.Type) || value.Type.IsSubclassOf(typeof(DynamicClass)) ? size.Each
            : typeof(IEnumerable).IsAssignableFrom(value.Type) ? Unknown
            : size.Each;

        private Size Each(Expression? owner) => owner is null ? Size.Of(typeof(object), Bound.Zero) : Of(owner);

        private static bool Sequence(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

        private void Limit(Bound size)
        {
            if (size.K > MaxFactor)
            {
                Refuse($"this can build a string {size.K:0.##} times the size of the item's text; at most {MaxFactor} are allowed (it doubles a value in steps, or joins a repeated one)");
            }
            else if (size.C > MaxConstant)
            {
                Refuse(double.IsInfinity(size.C)
                    ? "this can build a string of any size: a width or count must be a constant"
                    : $"this can build a string with {size.C:N0} characters besides the item's text; at most {MaxConstant:N0} are allowed");
            }
        }

        private void Refuse(string reason) => Problem ??= reason;
    }
}
