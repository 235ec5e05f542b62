using System.Linq.Expressions;
using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Rules.Helpers;
using ClosedLoop.Rules.Validation;

namespace ClosedLoop.Rules.Tests;

/// <summary>
/// The tree screen is what keeps expressions in bounds; the text screen only explains. These trees are built by
/// hand, as a parser trick that slipped past the text would produce them.
/// </summary>
public sealed class TreeScreenTests
{
    private static readonly TreeScreen Screen = new(typeof(FeedbackFacts), [typeof(Text), typeof(Lists)]);
    private static readonly ParameterExpression Feedback = Expression.Parameter(typeof(FeedbackFacts), "feedback");
    private static readonly Expression Comment = Expression.Property(Feedback, nameof(FeedbackFacts.Comment));

    [Fact]
    public void Refuses_GetType_and_what_it_leads_to()
    {
        var getType = Expression.Call(Feedback, typeof(object).GetMethod(nameof(GetType))!);

        Assert.Contains("GetType", Screen.Check(getType));
        Assert.NotNull(Screen.Check(Expression.Property(getType, nameof(Type.Assembly))));
    }

    [Fact]
    public void Refuses_type_constants_and_delegate_invocation()
    {
        Assert.NotNull(Screen.Check(Expression.Constant(typeof(string), typeof(Type))));
        Func<bool> sneaky = () => true;
        Assert.NotNull(Screen.Check(Expression.Invoke(Expression.Constant(sneaky))));
    }

    [Fact]
    public void Refuses_an_accumulating_Aggregate()
    {
        var topics = Expression.Property(Feedback, nameof(FeedbackFacts.Topics));
        var a = Expression.Parameter(typeof(string), "a");
        var t = Expression.Parameter(typeof(string), "t");
        var doubling = Expression.Lambda<Func<string, string, string>>(Expression.Call(typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!, a, a), a, t);
        var aggregate = Expression.Call(
            typeof(Enumerable).GetMethods().First(m => m.Name == nameof(Enumerable.Aggregate) && m.GetParameters().Length == 2).MakeGenericMethod(typeof(string)),
            topics,
            doubling);

        Assert.Contains("Aggregate", Screen.Check(aggregate));
    }

    [Fact]
    public void Refuses_new_strings_of_any_size()
    {
        var created = Expression.New(typeof(string).GetConstructor([typeof(char), typeof(int)])!, Expression.Constant('x'), Expression.Property(Comment, nameof(string.Length)));

        Assert.NotNull(Screen.Check(created));
    }

    [Fact]
    public void Refuses_a_format_that_is_computed_or_asks_for_a_huge_precision()
    {
        var count = Expression.Property(Expression.Property(Feedback, nameof(FeedbackFacts.Customer)), nameof(CustomerFacts.FeedbackCount));
        var toString = typeof(int).GetMethod(nameof(int.ToString), [typeof(string)])!;

        Assert.Contains("literal", Screen.Check(Expression.Call(count, toString, Comment)));
        Assert.Contains("100,000,000", Screen.Check(Expression.Call(count, toString, Expression.Constant("D100000000"))));
        Assert.Contains("99", Screen.Check(Expression.Call(count, toString, Expression.Constant("N100"))));
        Assert.Null(Screen.Check(Expression.Call(count, toString, Expression.Constant("N99"))));
        Assert.Null(Screen.Check(Expression.Call(count, toString, Expression.Constant("#,##0.00"))));
    }

    [Fact]
    public void Allows_the_input_strings_LINQ_and_helpers()
    {
        var words = Expression.Call(Comment, typeof(string).GetMethod(nameof(string.Split), [typeof(char[])])!, Expression.Constant(new[] { ' ' }));
        var any = Expression.Call(typeof(Enumerable).GetMethods().First(m => m.Name == nameof(Enumerable.Count) && m.GetParameters().Length == 1).MakeGenericMethod(typeof(string)), words);
        var helper = Expression.Call(typeof(Text).GetMethod(nameof(Text.ContainsWord))!, Comment, Expression.NewArrayInit(typeof(string), Expression.Constant("late")));
        var region = Expression.Property(Expression.Property(Feedback, nameof(FeedbackFacts.Customer)), nameof(CustomerFacts.Region));

        Assert.Null(Screen.Check(any));
        Assert.Null(Screen.Check(helper));
        Assert.Null(Screen.Check(region));
    }
}
