using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Cases;

/// <summary>
/// The Cases list at a million cases: <c>GET /api/v1/cases</c> (first pages with each filter, and pages deep
/// behind the cursor) against the hand-written SQL for the same page, in the same run, with the plan of every
/// statement the API sends.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!CasesBenchOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync(CasesBenchOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(CasesBenchOptions.Usage);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            await new CasesBenchmark(options, Console.Out).RunAsync(cancel.Token);
            return 0;
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
}
