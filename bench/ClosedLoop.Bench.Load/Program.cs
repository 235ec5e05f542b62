using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Load;

/// <summary>
/// <c>load</c>: single-post throughput against <c>GET /alive</c>; <c>bulk</c>: CSV import against a raw
/// batched insert (and COPY); <c>memory</c>: the API's peak working set while importing a large CSV.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!BenchOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync(BenchOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(BenchOptions.Usage);
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
            var report = new Reporting.Report(Console.Out);
            report.Machine(options);
            IBenchmark benchmark = options.Command switch
            {
                BenchCommand.Load => new Load.LoadBenchmark(options, report),
                BenchCommand.Bulk => new Bulk.BulkBenchmark(options, report),
                _ => new Memory.MemoryBenchmark(options, report),
            };
            await benchmark.RunAsync(cancel.Token);
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

/// <summary>One benchmark command, run on every provider the options name.</summary>
internal interface IBenchmark
{
    Task RunAsync(CancellationToken cancellationToken);
}
