using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Workflows;

/// <summary>The command line: <c>--name value</c> options; every number is bounded.</summary>
internal sealed class WorkflowBenchOptions
{
    private readonly Dictionary<string, string> _apiSettings = new(StringComparer.Ordinal);

    public const string Usage = """
        usage: ClosedLoop.Bench.Workflows [options]
          --provider sqlite|postgres|both  database behind the API (default both)
          --loops N                        detractor posts (so loops) per throughput measurement (default 300)
          --repetitions N                  throughput measurements per loop and history size; medians reported (default 3)
          --existing N                     finished instances seeded for the second half (default 1000000; 0: skip it)
          --latency N                      instances whose wait is resumed one at a time for the step latency (default 200)
          --warmup N                       loops of each kind run untimed first on every fresh API (default 1000)
          --concurrency N                  workers posting feedback (default 8)
          --sample N                       completed instances whose log is read after each measurement (default 100)
          --attribution                    also measure the five steps without the timer and without the message
          --pg-stats                       diagnostics: PostgreSQL's commits and table activity per loop of each measurement
          --api-dll PATH                   the ClosedLoop.Api.dll to launch (default: this build's Release output)
          --api-setting KEY=VALUE          extra configuration for the API (repeatable)
          --verbose                        echo the API's log
        """;

    public IReadOnlyList<Provider> Providers { get; private set; } = [Provider.Sqlite, Provider.PostgreSql];

    public int Loops { get; private set; } = 300;

    public int Repetitions { get; private set; } = 3;

    public int Existing { get; private set; } = 1_000_000;

    public int Latency { get; private set; } = 200;

    public int Warmup { get; private set; } = 1000;

    public int Concurrency { get; private set; } = 8;

    public int Sample { get; private set; } = 100;

    public bool Help { get; private set; }

    /// <summary>Also the five steps without the timer and without the message, to attribute the time by difference.</summary>
    public bool Attribution { get; private set; }

    /// <summary>Diagnostics: PostgreSQL's commits and per-table activity per loop (waits for the statistics to settle).</summary>
    public bool PgStats { get; private set; }

    private string? ApiDll { get; set; }

    private bool Verbose { get; set; }

    /// <summary>Per-caller rate limits raised out of reach (the bench is one caller); the rest as configured.</summary>
    public ApiOptions Api => new ApiOptions(ApiDll, RateLimiting: false, new Dictionary<string, string>(), Verbose).With(_apiSettings);

    public IReadOnlyDictionary<string, string> ApiSettings => _apiSettings;

    public static bool TryParse(string[] args, [NotNullWhen(true)] out WorkflowBenchOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = new WorkflowBenchOptions();
        error = null;
        for (var i = 0; i < args.Length && error is null; i++)
        {
            var name = args[i];
            switch (name)
            {
                case "-h" or "--help" or "help":
                    options.Help = true;
                    continue;
                case "--verbose":
                    options.Verbose = true;
                    continue;
                case "--pg-stats":
                    options.PgStats = true;
                    continue;
                case "--attribution":
                    options.Attribution = true;
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
            case "--loops":
                return Number(name, value, 10, 1_000_000, v => Loops = v);
            case "--repetitions":
                return Number(name, value, 1, 100, v => Repetitions = v);
            case "--existing":
                return Number(name, value, 0, 20_000_000, v => Existing = v);
            case "--latency":
                return Number(name, value, 0, 10_000, v => Latency = v);
            case "--warmup":
                return Number(name, value, 0, 100_000, v => Warmup = v);
            case "--concurrency":
                return Number(name, value, 1, 256, v => Concurrency = v);
            case "--sample":
                return Number(name, value, 0, 10_000, v => Sample = v);
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
