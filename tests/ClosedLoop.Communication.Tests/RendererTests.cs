using ClosedLoop.Communication.Rendering;
using Scriban.Runtime;

namespace ClosedLoop.Communication.Tests;

public sealed class RendererTests
{
    private readonly TemplateRenderer renderer = new();

    private static ScriptObject Model(string name = "Ada") => TemplateModel.From(new Dictionary<string, object?>
    {
        ["customer"] = new Dictionary<string, object?> { ["name"] = name, ["language"] = "en" },
        ["items"] = new[] { 1, 2, 3 },
    });

    [Fact]
    public void Html_bodies_encode_a_script_tag_in_a_customer_name_but_keep_the_template_markup()
    {
        var html = renderer.Render("<p>Hello {{ customer.name }}</p>", Model("<script>alert(1)</script>"), TemplateFormat.Html);

        Assert.Equal("<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;</p>", html);
    }

    [Fact]
    public void Text_bodies_keep_a_customer_name_as_it_is()
    {
        var text = renderer.Render("Hello {{ customer.name }}", Model("<script>alert(1)</script>"), TemplateFormat.Text);

        Assert.Equal("Hello <script>alert(1)</script>", text);
    }

    [Fact]
    public void Html_bodies_encode_the_output_of_functions_and_loops_too()
    {
        var html = renderer.Render("{{ for i in items }}{{ customer.name | string.append '&' }}{{ end }}", Model("<b>"), TemplateFormat.Html);

        Assert.Equal("&lt;b&gt;&amp;&lt;b&gt;&amp;&lt;b&gt;&amp;", html);
    }

    [Theory]
    [InlineData("{{ include 'other' }}", "include")]
    [InlineData("{{ include_join ['a'] ',' }}", "include_join")]
    [InlineData("{{ object.eval 'customer.name' }}", "object.eval")]
    [InlineData("{{ 'x' | object.eval_template }}", "object.eval_template")]
    public void Include_and_eval_are_refused_before_rendering(string source, string function)
    {
        var errors = renderer.Check(source);

        var error = Assert.Single(errors);
        Assert.Contains($"'{function}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Include_and_eval_are_gone_from_the_builtins_even_when_reached_indirectly()
    {
        // Reached through a variable, the static check cannot see them; the builtins no longer hold them.
        var e = Assert.Throws<TemplateException>(() =>
            renderer.Render("{{ o = object; o.eval 'customer.name' }}", Model(), TemplateFormat.Text));

        Assert.Equal(1, Assert.Single(e.Errors).Line);
    }

    [Theory]
    [InlineData("Hi {{ customer.name", 1, 4)]
    [InlineData("Hi {{ customer.name }}\nand {{ customer.name", 2, 5)]
    public void A_code_block_left_open_at_the_end_is_an_error_where_it_opens(string source, int line, int column)
    {
        var error = Assert.Single(renderer.Check(source));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_variable_is_an_error_with_its_line_and_column()
    {
        var e = Assert.Throws<TemplateException>(() =>
            renderer.Render("Hello\n  {{ custmer.name }}", Model(), TemplateFormat.Text));

        var error = Assert.Single(e.Errors);
        Assert.Equal(2, error.Line);
        Assert.Equal(6, error.Column);
        Assert.Contains("custmer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parse_error_names_its_line_and_column()
    {
        var errors = renderer.Check("line one\n{{ if customer.name }}\nno end");

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e.Line >= 1 && e.Column >= 1));
    }

    [Fact]
    public void An_endless_loop_stops_at_the_loop_limit()
    {
        var e = Assert.Throws<TemplateException>(() =>
            renderer.Render("{{ while true }}x{{ end }}", Model(), TemplateFormat.Text));

        Assert.Contains("loop", Assert.Single(e.Errors).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Endless_recursion_stops_at_the_recursion_limit()
    {
        var e = Assert.Throws<TemplateException>(() =>
            renderer.Render("{{ func f; f; end; f }}", Model(), TemplateFormat.Text));

        Assert.Single(e.Errors);
    }

    [Fact]
    public void A_render_that_runs_too_long_stops_at_the_timeout()
    {
        var slow = new TemplateRenderer(TemplateLimits.Default with { LoopLimit = 0, Timeout = TimeSpan.FromMilliseconds(100) });

        var e = Assert.Throws<TemplateException>(() => slow.Render("{{ while true }}{{ end }}", Model(), TemplateFormat.Text));

        Assert.Contains("longer than", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_caller_cancels_the_render()
    {
        var endless = new TemplateRenderer(TemplateLimits.Default with { LoopLimit = 0 });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            endless.Render("{{ while true }}{{ end }}", Model(), TemplateFormat.Text, cancelled.Token));
    }

    [Fact]
    public void A_huge_output_stops_at_the_output_limit()
    {
        var small = new TemplateRenderer(TemplateLimits.Default with { OutputLimit = 1_000 });

        var e = Assert.Throws<TemplateException>(() =>
            small.Render("{{ for i in 1..900 }}xx{{ end }}", Model(), TemplateFormat.Text));

        Assert.Single(e.Errors);
    }

    [Fact]
    public void A_huge_string_stops_at_the_string_limit()
    {
        var e = Assert.Throws<TemplateException>(() =>
            renderer.Render("{{ 'x' | string.pad_left 10000000 }}", Model(), TemplateFormat.Text));

        Assert.Single(e.Errors);
    }

    [Fact]
    public void A_template_is_parsed_once_and_reused()
    {
        var first = renderer.Render("Hi {{ customer.name }}", Model("Ada"), TemplateFormat.Text);
        var second = renderer.Render("Hi {{ customer.name }}", Model("Bob"), TemplateFormat.Html);
        renderer.Render("Bye {{ customer.name }}", Model(), TemplateFormat.Text);

        Assert.Equal(("Hi Ada", "Hi Bob"), (first, second));
        Assert.Equal(2, renderer.CachedCount);
    }

    [Fact]
    public void A_template_cannot_change_the_model_other_renders_share()
    {
        var model = Model();

        renderer.Render("{{ customer = 'gone'; items = null }}", model, TemplateFormat.Text);

        Assert.Equal("Ada", renderer.Render("{{ customer.name }}", model, TemplateFormat.Text));
    }

    [Fact]
    public void A_template_cannot_replace_a_builtin_function()
    {
        Assert.Throws<TemplateException>(() => renderer.Render("{{ string.upcase = 2 }}", Model(), TemplateFormat.Text));

        Assert.Equal("ADA", renderer.Render("{{ customer.name | string.upcase }}", Model(), TemplateFormat.Text));
    }

    [Theory]
    [InlineData("{{ string.shout = 'x' }}")]
    [InlineData("{{ math = 1 }}{{ math.round 1.6 }}")]
    [InlineData("{{ object.keys = null }}")]
    public void The_shared_builtins_stay_as_they_are_whatever_a_template_assigns(string template)
    {
        try
        {
            renderer.Render(template, Model(), TemplateFormat.Text);
        }
        catch (TemplateException)
        {
            // Refused or not, the next render, on another renderer too, sees the builtins unchanged.
        }

        Assert.Equal("ADA 2 2", new TemplateRenderer().Render("{{ customer.name | string.upcase }} {{ math.round 1.6 }} {{ ({a: 1, b: 2} | object.keys).size }}", Model(), TemplateFormat.Text));
        Assert.Throws<TemplateException>(() => renderer.Render("{{ string.shout 'x' }}", Model(), TemplateFormat.Text));
    }

    [Fact]
    public void A_model_holds_plain_data_only()
    {
        Assert.Throws<ArgumentException>(() => TemplateModel.From(new Dictionary<string, object?> { ["live"] = new Uri("https://example.com") }));
    }

    [Fact]
    public void A_model_from_json_keeps_its_names_and_values()
    {
        var model = TemplateModel.FromJson("""{"supportCase":{"rootCause":"late courier","score":3,"topics":["delivery"]}}""");

        Assert.Equal("late courier 3 delivery",
            renderer.Render("{{ supportCase.rootCause }} {{ supportCase.score }} {{ supportCase.topics[0] }}", model, TemplateFormat.Text));
    }
}
