using System.Collections;
using System.Linq.Dynamic.Core;
using System.Linq.Expressions;

namespace ClosedLoop.Rules.Validation;

/// <summary>
/// At most <c>K·n + P·e + C</c> characters, where n is the size of the item (all the text it holds) and e the size
/// of the element the innermost lambda is applied to (its parameter), so that what a projection builds from its
/// element alone adds up to no more than the sequence it projects.
/// </summary>
internal readonly record struct Bound(double K, double C, double P = 0)
{
    public static readonly Bound Zero = new(0, 0);

    /// <summary>Anything the item holds: at most all of it.</summary>
    public static readonly Bound Item = new(1, 0);

    /// <summary>The innermost lambda's element.</summary>
    public static readonly Bound Element = new(0, 0, 1);

    /// <summary>True when the bound grows with the item or the element.</summary>
    public bool Grows => K > 0 || P > 0;

    public static Bound operator +(Bound a, Bound b) => new(a.K + b.K, a.C + b.C, a.P + b.P);

    public static Bound Max(Bound a, Bound b) => new(Math.Max(a.K, b.K), Math.Max(a.C, b.C), Math.Max(a.P, b.P));

    /// <summary><paramref name="a"/> times <paramref name="b"/> when one is a constant; null when both grow.</summary>
    public static Bound? Times(Bound? a, Bound? b) =>
        a is not { } x || b is not { } y || (x.Grows && y.Grows) ? null : new Bound((x.K * y.C) + (y.K * x.C), x.C * y.C, (x.P * y.C) + (y.P * x.C));

    public static Bound? Sum(Bound? a, Bound? b) => a is { } x && b is { } y ? x + y : null;

    /// <summary>This bound with the element's own bound put in for it.</summary>
    public Bound For(Bound element) => new(K + (P * element.K), C + (P * element.C), P * element.P);
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

    /// <summary>This size with the element's own bound put in for it (see <see cref="Bound.For"/>).</summary>
    public Size For(Bound element) => new(Each.For(element), Total?.For(element), Count?.For(element));
}

/// <summary>
/// Bounds what an expression can build (decision 0029). Every string a rule builds is at most
/// <see cref="MaxFactor"/> times the item's text plus <see cref="MaxConstant"/> characters: concatenation adds
/// sizes, padding adds its constant width, formatting gives a short string, parameters carry their bound.
/// Sequences also carry a bound on their count and on all their elements together: what a projection builds from
/// its element alone adds up to the sequence it projects, anything else counts once per element, and a product of
/// two growing sizes has none. Joining a sequence (<c>string.Concat</c>/<c>Join</c>) or collecting it
/// (<see cref="Materialising"/>) needs that bound. What this does not bound is work: scanning the item
/// polynomially (pairs of words) builds nothing that outlives a step and is left to the evaluation budget.
/// </summary>
internal sealed class SizeScreen
{
    /// <summary>How many times the item's text one built string may hold.</summary>
    public const double MaxFactor = 16;

    /// <summary>Characters of constants (literals, padding, formatted values) one built string may hold.</summary>
    public const double MaxConstant = 10_000;

    /// <summary>Elements, or characters in all, a collection the rule materialises may hold besides the item's multiple.</summary>
    public const double MaxHeldConstant = 100_000;

    /// <summary>LINQ operators that hold every element at once (a list, a set, a buffer to sort or group).</summary>
    private static readonly HashSet<string> Materialising =
    [
        nameof(Enumerable.ToList), nameof(Enumerable.ToArray), nameof(Enumerable.ToHashSet), nameof(Enumerable.ToDictionary),
        nameof(Enumerable.ToLookup), nameof(Enumerable.Distinct), nameof(Enumerable.DistinctBy), nameof(Enumerable.Union),
        nameof(Enumerable.UnionBy), nameof(Enumerable.Intersect), nameof(Enumerable.IntersectBy), nameof(Enumerable.Except),
        nameof(Enumerable.ExceptBy), nameof(Enumerable.GroupBy), nameof(Enumerable.GroupJoin), nameof(Enumerable.Join),
        nameof(Enumerable.OrderBy), nameof(Enumerable.OrderByDescending), nameof(Enumerable.Order), nameof(Enumerable.OrderDescending),
        nameof(Enumerable.Reverse), nameof(Enumerable.Chunk), nameof(Enumerable.TakeLast), nameof(Enumerable.SkipLast),
    ];

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

        /// <summary>The element the innermost lambda is applied to, in terms of the item; null outside lambdas.</summary>
        private Bound? _element;

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
            LambdaExpression lambda => Lambda(lambda, Size.Held).For(_element ?? Bound.Zero),
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
                Refuse($"{what} may join only a sequence of bounded size: a list the item holds or one written in the rule, filtered, ordered or projected from each element alone; this one can repeat the item's text per element");
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
            if (Materialising.Contains(name))
            {
                Hold(source, name);
            }

            switch (name)
            {
                case nameof(Enumerable.Select):
                    var projected = Lambda(args[1], source);
                    return new Size(projected.Each.For(source.Each), PerElement(source, projected.Total), source.Count);
                case nameof(Enumerable.SelectMany):
                    var inner = Lambda(args[1], source);
                    var each = args.Count > 2 ? Lambda(args[2], source, inner.For(source.Each)).Each.For(source.Each) : inner.Each.For(source.Each);
                    return new Size(each, PerElement(source, inner.Total), PerElement(source, inner.Count));
                case nameof(Enumerable.Concat) or nameof(Enumerable.Union) or nameof(Enumerable.UnionBy) or nameof(Enumerable.Append) or nameof(Enumerable.Prepend):
                    var other = Of(args[1]);
                    if (name is nameof(Enumerable.Union) or nameof(Enumerable.UnionBy))
                    {
                        Hold(other, name);
                    }

                    foreach (var selector in args.Skip(2))
                    {
                        Lambda(selector, source);
                    }

                    var appended = name is nameof(Enumerable.Append) or nameof(Enumerable.Prepend) ? other with { Count = new Bound(0, 1) } : other;
                    return new Size(Bound.Max(source.Each, appended.Each), Bound.Sum(source.Total, appended.Total), Bound.Sum(source.Count, appended.Count));
                case nameof(Enumerable.Zip) or nameof(Enumerable.Join) or nameof(Enumerable.GroupJoin):
                    var second = Of(args[1]);
                    if (name is not nameof(Enumerable.Zip))
                    {
                        Hold(second, name);
                    }

                    var last = IsLambda(args[^1]) ? Lambda(args[^1], source, second).For(source.Each) : Max(source, second);
                    foreach (var key in args.Skip(2).Take(args.Count - 3))
                    {
                        Lambda(key, source, second);
                    }

                    return new Size(last.Each, null, null);
            }

            // Filters, orderings, groupings and lookups hold the source's elements; selectors are checked like any lambda.
            var selected = args.Skip(1).Where(IsLambda).Select(a => Lambda(a, source).For(source.Each)).ToList();
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

        /// <summary>
        /// A per-element bound (in terms of the element, from a lambda over <paramref name="source"/>) summed over the
        /// elements: what grows with the element adds up to the source's total, the rest counts once per element.
        /// </summary>
        private static Bound? PerElement(Size source, Bound? perElement) =>
            perElement is { } p && source.Total is { } all
                ? Bound.Sum(Bound.Times(new Bound(0, p.P), all), Bound.Times(source.Count, p with { P = 0 }))
                : null;

        /// <summary>A bound as it stands where the walk is: relative to the enclosing lambda's element, if any, put in terms of the item.</summary>
        private Bound Here(Bound bound) => _element is { } outer ? bound.For(outer) : bound;

        /// <summary>Refuses materialising a sequence whose size no linear bound covers.</summary>
        private void Hold(Size sequence, string what)
        {
            var count = sequence.Count is { } c ? Here(c) : (Bound?)null;
            var total = sequence.Total is { } t ? Here(t) : (Bound?)null;
            if (count is not { } n || total is not { } all || n.K > MaxFactor || all.K > MaxFactor || n.C > MaxHeldConstant || all.C > MaxHeldConstant)
            {
                Refuse($"{what} would hold a sequence the rule computed that can grow with the square of the item or faster (it copies the item's text per element, or multiplies sequences): test it without collecting it (Any, Count, All)");
            }
        }

        private static bool IsLambda(Expression argument) => argument is LambdaExpression or UnaryExpression { Operand: LambdaExpression };

        /// <summary>
        /// The lambda's body, its first parameter standing for an element of <paramref name="sources"/>[0] (as
        /// <see cref="Bound.Element"/>: callers put its bound in with <see cref="Size.For"/>), later ones for elements of
        /// the other sources, an index parameter small. Outer lambdas' parameters are put in terms of the item meanwhile.
        /// </summary>
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

            var outer = _element;
            var saved = new Dictionary<ParameterExpression, Size>(_lambdas);
            if (outer is { } enclosing)
            {
                foreach (var (parameter, size) in saved)
                {
                    _lambdas[parameter] = size.For(enclosing);
                }
            }

            _element = Here(sources[0].Each);
            for (var i = 0; i < lambda.Parameters.Count; i++)
            {
                var parameter = lambda.Parameters[i];
                var source = sources[Math.Min(i, sources.Length - 1)].For(outer ?? Bound.Zero);
                _lambdas[parameter] = IsPlain(parameter.Type) ? Size.Of(parameter.Type, Small(parameter.Type))
                    : i > 0 ? (parameter.Type == typeof(string) ? Size.Of(typeof(string), source.Each) : source)
                    : parameter.Type == typeof(string) ? Size.Of(typeof(string), Bound.Element)
                    : source with { Each = Bound.Element };
            }

            try
            {
                return Of(lambda.Body);
            }
            finally
            {
                _element = outer;
                _lambdas.Clear();
                foreach (var (parameter, size) in saved)
                {
                    _lambdas[parameter] = size;
                }
            }
        }

        private static Bound? Constant(Expression count) => count is ConstantExpression { Value: int n } ? new Bound(0, n) : null;

        /// <summary>What <paramref name="value"/> adds to a string it is concatenated into.</summary>
        private static Bound Text(Expression value, Size size) =>
            value.Type == typeof(string) || IsPlain(value.Type) || value.Type.IsSubclassOf(typeof(DynamicClass)) ? size.Each
            : typeof(IEnumerable).IsAssignableFrom(value.Type) ? Unknown
            : size.Each;

        private Size Each(Expression? owner) => owner is null ? Size.Of(typeof(object), Bound.Zero) : Of(owner);

        private static bool Sequence(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

        private void Limit(Bound bound)
        {
            var size = Here(bound);
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
