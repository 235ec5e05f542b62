using System.Globalization;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Messages;

/// <summary>
/// <c>render [--rounds N] [--per-round N]</c>: each default template against raw Scriban;
/// <c>announce [--provider sqlite|postgres|both] [--customers N]</c>: an improvement announced to N customers.
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: ClosedLoop.Bench.Messages render   [--rounds N (31)] [--per-round N (500)]\n" +
        "       ClosedLoop.Bench.Messages announce [--provider sqlite|postgres|both (both)] [--customers N (100000)]";

    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            switch (args.FirstOrDefault())
            {
                case "render":
                    RenderBenchmark.Run(Option(args, "--rounds", 31), Option(args, "--per-round", 500), Console.Out);
                    return 0;
                case "announce":
                    var customers = Option(args, "--customers", 100_000);
                    var which = Text(args, "--provider", "both");
                    Console.WriteLine("| provider | customers | announce (POST → completed) | raw insert of the same rows | ratio | API RSS before | peak | after |");
                    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
                    foreach (var provider in which switch { "sqlite" => [Provider.Sqlite], "postgres" => [Provider.PostgreSql], _ => new[] { Provider.Sqlite, Provider.PostgreSql } })
                    {
                        await new AnnounceBenchmark(provider, customers, Console.Out).RunAsync(cancel.Token);
                    }

                    return 0;
                default:
                    await Console.Error.WriteLineAsync(Usage);
                    return 2;
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return 130;
        }
        catch (BenchException failure)
        {
            await Console.Error.WriteLineAsync($"error: {failure.Message}");
            return 1;
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
    }

    private static string Text(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
