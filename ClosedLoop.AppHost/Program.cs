using System.Runtime.InteropServices;

namespace ClosedLoop.AppHost;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var console = new ConsoleSink();
        if (!AppHostOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync($"{error}{Environment.NewLine}{Environment.NewLine}{AppHostOptions.Usage}");
            return 2;
        }
        if (options.Help)
        {
            Console.WriteLine(AppHostOptions.Usage);
            return 0;
        }
        if (options.Smtp)
        {
            console.Error("--smtp (MailDev) is not available yet; it arrives with the Communication module.");
            return 2;
        }
        if (options.Postgres && !LocalPostgres.IsAvailable(out var reason))
        {
            console.Error($"--postgres: {reason}");
            return 1;
        }
        if (!ApiProject.TryLocate(out var api, out error))
        {
            console.Error(error);
            return 1;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        return await new Orchestrator(options, api, console).RunAsync(stop.Token);

        void OnSignal(PosixSignalContext context)
        {
            // Handled here instead of the runtime's default exit, so the resources are stopped first.
            context.Cancel = true;
            if (!stop.IsCancellationRequested)
            {
                console.Info($"{context.Signal} received; stopping.");
                stop.Cancel();
            }
        }
    }
}
