using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Load;

internal enum BenchCommand
{
    Load,
    Bulk,
    Memory,
}

/// <summary>The command line: a command, then <c>--name value</c> options; every number is bounded.</summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _apiSettings = new(StringComparer.Ordinal);

    public const string Usage = """
        usage: ClosedLoop.Bench.Load <load|bulk|memory> [options]
          --provider sqlite|postgres|both  database behind the API (default both)
          --repetitions N                  runs per measurement; medians are reported (default 3)
          --concurrency N                  load: concurrent workers on one keep-alive client (default 16)
          --warmup S / --duration S        load: seconds of warm-up, then of measurement (default 10 / 15)
          --rows N                         bulk: rows per import (default 100000); memory: (default 1000000)
          --warmup-rows N                  bulk: rows imported (other source, other customers) before the
                                           measured import into each fresh API (default 20000; 0: none)
          --warmup-rounds N                bulk: warm-up imports of --warmup-rows each before the measured one (default 5)
          --ingest-only                    bulk, load: ingest alone, as issue 3 set its goals: no rule set published
                                           (every item routed to an empty decision) and the outbox dispatcher off
                                           (no case opened); bulk's "all effects done" is not measured
          --rate-limiting on|off           keep the API's per-caller rate limits (default off: limits raised out of reach)
          --api-dll PATH                   the ClosedLoop.Api.dll to launch (default: this build's Release output)
          --api-setting KEY=VALUE          extra configuration for the API, e.g. Messaging__DispatcherEnabled=false (repeatable)
          --verbose                        echo the API's log
        """;

    public BenchCommand Command { get; private set; }

    public IReadOnlyList<Provider> Providers { get; private set; } = [Provider.Sqlite, Provider.PostgreSql];

    public int Repetitions { get; private set; } = 3;

    public int Concurrency { get; private set; } = 16;

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(15);

    public int Rows { get; private set; }

    /// <summary><c>bulk</c>: rows imported into each fresh API before the measured import (JIT and caches warm).</summary>
    public int WarmupRows { get; private set; } = 20_000;

    /// <summary><c>bulk</c>, <c>load</c>: no rule set and no dispatcher, so ingest is measured without what later issues added.</summary>
    public bool IngestOnly { get; private set; }

    /// <summary><c>bulk</c>: warm-up imports before the measured one (the runtime tiers hot code up in steps).</summary>
    public int WarmupRounds { get; private set; } = 5;

    public bool RateLimiting { get; private set; }

    public string? ApiDll { get; private set; }

    /// <summary>Environment variables for the API process: diagnostics such as turning the outbox dispatcher off.</summary>
    public IReadOnlyDictionary<string, string> ApiSettings => _apiSettings;

    public bool Verbose { get; private set; }

    /// <summary>How the API is launched.</summary>
    public ApiOptions Api => new(ApiDll, RateLimiting, IngestOnly ? IngestOnlySettings() : ApiSettings, Verbose);

    private Dictionary<string, string>? _ingestOnlySettings;

    private Dictionary<string, string> IngestOnlySettings() => _ingestOnlySettings ??= new(_apiSettings, StringComparer.Ordinal)
    {
        // A directory with no rule set in it: nothing is seeded, so nothing is published.
        ["Rules__SeedDirectory"] = Directory.CreateTempSubdirectory("closedloop-no-rules-").FullName,
        ["Messaging__DispatcherEnabled"] = "false",
    };

    public bool Help { get; private set; }

    public static bool TryParse(string[] args, [NotNullWhen(true)] out BenchOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = new BenchOptions();
        error = null;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            options.Help = true;
            return true;
        }

        if (!Enum.TryParse<BenchCommand>(args[0], ignoreCase: true, out var command) || !Enum.IsDefined(command))
        {
            error = $"Unknown command '{args[0]}'.";
            return false;
        }

        options.Command = command;
        options.Rows = command == BenchCommand.Memory ? 1_000_000 : 100_000;
        for (var i = 1; i < args.Length && error is null; i++)
        {
            var name = args[i];
            if (name == "--verbose")
            {
                options.Verbose = true;
                continue;
            }

            if (name == "--ingest-only")
            {
                options.IngestOnly = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                break;
            }

            error = options.Set(name, args[++i]);
        }

        return error is null;
    }

    private string? Set(string name, string value)
    {
        switch (name)
        {
            case "--provider":
                Providers = value.ToUpperInvariant() switch
                {
                    "SQLITE" => [Provider.Sqlite],
                    "POSTGRES" or "POSTGRESQL" => [Provider.PostgreSql],
                    "BOTH" => [Provider.Sqlite, Provider.PostgreSql],
                    _ => [],
                };
                return Providers.Count == 0 ? "--provider must be sqlite, postgres or both." : null;
            case "--repetitions":
                return Number(name, value, 1, 20, v => Repetitions = v);
            case "--concurrency":
                return Number(name, value, 1, 512, v => Concurrency = v);
            case "--warmup":
                return Number(name, value, 0, 600, v => Warmup = TimeSpan.FromSeconds(v));
            case "--duration":
                return Number(name, value, 1, 3600, v => Duration = TimeSpan.FromSeconds(v));
            case "--rows":
                return Number(name, value, 1, 10_000_000, v => Rows = v);
            case "--warmup-rows":
                return Number(name, value, 0, 1_000_000, v => WarmupRows = v);
            case "--warmup-rounds":
                return Number(name, value, 1, 20, v => WarmupRounds = v);
            case "--rate-limiting":
                RateLimiting = value is "on" or "true";
                return value is "on" or "off" or "true" or "false" ? null : "--rate-limiting must be on or off.";
            case "--api-setting":
                var split = value.IndexOf('=', StringComparison.Ordinal);
                if (split <= 0)
                {
                    return "--api-setting needs KEY=VALUE (use __ for ':').";
                }

                _apiSettings[value[..split]] = value[(split + 1)..];
                return null;
            case "--api-dll":
                ApiDll = Path.GetFullPath(value);
                return null;
            default:
                return $"Unknown option '{name}'.";
        }
    }

    private static string? Number(string name, string value, int min, int max, Action<int> set)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            return $"{name} must be a whole number from {min} to {max}.";
        }

        set(number);
        return null;
    }
}
