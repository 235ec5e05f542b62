using System.Diagnostics;
using ClosedLoop.Bench.Hosting;
using Scriban;
using Scriban.Runtime;

namespace ClosedLoop.Bench.Messages;

/// <summary>
/// Each default template (English: subject, HTML and text) rendered by the product's renderer — limits, a fresh
/// context per render, the removed builtins, HTML encoding of every expression — against raw Scriban: the same three
/// parsed templates rendered with a plain <see cref="TemplateContext"/> and the same model object (and, to isolate the
/// hardening's own cost, with a builtins object built once, as ours shares one). Rounds interleave the
/// two, so a busy neighbour costs both alike; the figure is the median of the per-round ratios.
/// </summary>
internal static class RenderBenchmark
{
    public static void Run(int rounds, int perRound, TextWriter output)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "templates");
        var keys = Directory.GetDirectories(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var model = ProductRenderer.Model(File.ReadAllText(Path.Combine(directory, "sample-model.json")));
        var renderer = new ProductRenderer();
        output.WriteLine($"Render: {keys.Count} templates (en), {rounds} rounds of {perRound} renders each side, interleaved; .NET {Environment.Version}, {Environment.ProcessorCount} cores.");
        output.WriteLine();
        output.WriteLine("| template | raw Scriban, µs | raw, builtins built once, µs | ours, µs | ours / raw | ours / raw with builtins built once |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        var shared = TemplateContext.GetDefaultBuiltinObject();
        var worst = 0.0;
        foreach (var key in keys)
        {
            string Read(string part) => File.ReadAllText(Path.Combine(directory, key, "en." + part));
            var (subject, html, text) = (Read("subject.txt"), Read("html"), Read("txt"));
            var parts = ProductRenderer.Template(subject, html, text);
            var raw = new[] { Template.Parse(subject), Template.Parse(html), Template.Parse(text) };
            Check(raw);

            // Warm both paths (parse cache, JIT) before measuring.
            for (var i = 0; i < 200; i++)
            {
                renderer.Render(parts, model);
                RenderRaw(raw, model);
                RenderRaw(raw, model, shared);
            }

            var ours = new List<double>(rounds);
            var baseline = new List<double>(rounds);
            var ratios = new List<double>(rounds);
            var sharedBaseline = new List<double>(rounds);
            var sharedRatios = new List<double>(rounds);
            for (var round = 0; round < rounds; round++)
            {
                var first = round % 2 == 0;
                var a = first ? Time(() => RenderRaw(raw, model), perRound) : Time(() => renderer.Render(parts, model), perRound);
                var b = first ? Time(() => renderer.Render(parts, model), perRound) : Time(() => RenderRaw(raw, model), perRound);
                var (r, o) = first ? (a, b) : (b, a);
                baseline.Add(r);
                ours.Add(o);
                ratios.Add(o / r);
                var s = Time(() => RenderRaw(raw, model, shared), perRound);
                sharedBaseline.Add(s);
                sharedRatios.Add(o / s);
            }

            var ratio = Stats.Median(ratios);
            worst = Math.Max(worst, ratio);
            output.WriteLine($"| `{key}` | {Stats.Median(baseline):0.0} | {Stats.Median(sharedBaseline):0.0} | {Stats.Median(ours):0.0} | {ratio:0.00}× | {Stats.Median(sharedRatios):0.00}× |");
        }

        output.WriteLine();
        output.WriteLine($"Worst template against raw Scriban: {worst:0.00}× (goal ≤ 1.3×). The second ratio isolates what the hardening and HTML encoding cost: raw Scriban given one builtins object built once, as ours shares one frozen copy.");
    }

    private static void Check(Template[] templates)
    {
        foreach (var template in templates.Where(t => t.HasErrors))
        {
            throw new BenchException("A seed template does not parse: " + string.Join("; ", template.Messages));
        }
    }

    /// <summary>As Scriban's own <c>template.Render(model)</c> does: a new context, by default with a new copy of the builtins.</summary>
    private static void RenderRaw(Template[] templates, ScriptObject model, ScriptObject? builtins = null)
    {
        foreach (var template in templates)
        {
            var context = builtins is null ? new TemplateContext() : new TemplateContext(builtins);
            context.PushGlobal(model);
            template.Render(context);
        }
    }

    /// <summary>Microseconds per call, over <paramref name="count"/> calls.</summary>
    private static double Time(Action action, int count)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            action();
        }

        return watch.Elapsed.TotalMicroseconds / count;
    }
}
