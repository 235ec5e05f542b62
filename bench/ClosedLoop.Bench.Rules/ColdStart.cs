using System.Diagnostics;
using System.Globalization;
using ClosedLoop.Rules;

namespace ClosedLoop.Bench.Rules;

/// <summary>
/// The first routing: a fresh engine loads the catalog (ours: validate, compile, warm up, swap; raw: construct)
/// and routes its first item (raw: compiles each workflow on first use and evaluates). Inputs and rule files are
/// read before the clock starts.
/// </summary>
internal static class ColdStart
{
    public const string ChildArgument = "--cold-child";

    /// <summary>Milliseconds from nothing to the first item routed by our engine (the public DI registration, ApplyAsync, RouteAsync).</summary>
    public static async Task<double> OursAsync()
    {
        using var services = FeedbackInput.Services();
        var input = Inputs.Generate(1, FeedbackInput.Sentiment(services))[0];
        var ruleSets = Inputs.RuleSets();

        var started = Stopwatch.GetTimestamp();
        var engine = FeedbackInput.Engine(services);
        await engine.ApplyAsync(new RuleSetCatalog("cold", ruleSets));
        var routed = await engine.RouteAsync(input);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return routed.Fallback ? throw new InvalidOperationException($"The first item fell back: {routed.FallbackReason}") : elapsed;
    }

    /// <summary>Milliseconds from nothing to the first item through raw RulesEngine (construct, first ExecuteAllRulesAsync of each set).</summary>
    public static async Task<double> RawAsync()
    {
        using var services = FeedbackInput.Services();
        var input = Inputs.Generate(1, FeedbackInput.Sentiment(services))[0];
        var ruleSets = Inputs.RuleSets();

        var started = Stopwatch.GetTimestamp();
        var raw = new RawEngine(ruleSets);
        await raw.ExecuteAsync(input);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>Runs one cold measurement in a process of its own and reads its result.</summary>
    public static double InNewProcess(string which)
    {
        var self = Environment.ProcessPath!;
        var dll = typeof(ColdStart).Assembly.Location;
        var start = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new ProcessStartInfo(self) { ArgumentList = { dll, ChildArgument, which } }
            : new ProcessStartInfo(self) { ArgumentList = { ChildArgument, which } };
        start.RedirectStandardOutput = true;
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("cold-ms ", StringComparison.Ordinal));
        return child.ExitCode == 0 && line is not null
            ? double.Parse(line["cold-ms ".Length..], CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"The cold-start child ({which}) failed with exit code {child.ExitCode}: {output}");
    }

    /// <summary>The child's side: one measurement, printed on its own line.</summary>
    public static async Task<int> ChildAsync(string which)
    {
        var ms = which == "ours" ? await OursAsync() : await RawAsync();
        Console.WriteLine(FormattableString.Invariant($"cold-ms {ms:F3}"));
        return 0;
    }
}
