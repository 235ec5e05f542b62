using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Workflows;

/// <summary>
/// The workflow runtime (issue 19): five-step loops started by detractor feedback and completed per second, against a
/// Start → End loop in the same run, with no history and with a million finished instances; and a step's latency from
/// a case event to the instance's next bookmark.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!WorkflowBenchOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync(WorkflowBenchOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(WorkflowBenchOptions.Usage);
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
            await new WorkflowsBenchmark(options, Console.Out).RunAsync(cancel.Token);
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
