using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Cases;

/// <summary>The command line: <c>--name value</c> options; every number is bounded.</summary>
internal sealed class CasesBenchOptions
{
    private readonly Dictionary<string, string> _apiSettings = new(StringComparer.Ordinal);

    public const string Usage = """
        usage: ClosedLoop.Bench.Cases [options]
          --provider sqlite|postgres|both  database behind the API (default both)
          --cases N                        cases seeded (default 1000000)
          --repetitions N                  timed rounds of each mode; medians reported (default 30)
          --block N                        back-to-back mode: calls per block (default 10; 0: one-at-a-time mode only)
          --warmup N                       untimed rounds over every query first, for at least --warmup-seconds (default 20)
          --warmup-seconds S               (default 20)
          --only a,c,...                   only these queries (keys as in the table)
          --hold S                         diagnostics: keep the timed API running S seconds after the measurements
                                           (its address and pid are printed, e.g. for perf record -p)
          --deep-pages N                   the page reached by following nextCursor for (h) and (i) (default 200)
          --seed N                         generator seed (default 42)
          --sqlite-cache-mib N             SQLite page cache per connection, given to the API (Database:SqliteCacheMiB)
                                           and to the hand-written SQL's connections alike (default 16, the API's default)
          --api-dll PATH                   the ClosedLoop.Api.dll to launch (default: this build's Release output)
          --api-setting KEY=VALUE          extra configuration for the API (repeatable)
          --verbose                        echo the API's log
        """;

    public IReadOnlyList<Provider> Providers { get; private set; } = [Provider.Sqlite, Provider.PostgreSql];

    public int Cases { get; private set; } = 1_000_000;

    public int Repetitions { get; private set; } = 30;

    /// <summary>Calls per block in the back-to-back mode; 0 leaves that mode out.</summary>
    public int Block { get; private set; } = 10;

    public int Warmup { get; private set; } = 20;

    public TimeSpan WarmupTime { get; private set; } = TimeSpan.FromSeconds(20);

    public IReadOnlySet<string> Only { get; private set; } = new HashSet<string>(StringComparer.Ordinal);

    public int DeepPages { get; private set; } = 200;

    public int Seed { get; private set; } = 42;

    public int HoldSeconds { get; private set; }

    /// <summary>The SQLite page cache of every connection, the API's and the hand-written SQL's: the same for both.</summary>
    public int SqliteCacheMiB { get; private set; } = 16;

    public bool Help { get; private set; }

    private string? ApiDll { get; set; }

    private bool Verbose { get; set; }

    /// <summary>
    /// How the API is launched: per-caller rate limits raised out of reach (the bench is one caller sending
    /// thousands of requests), the SLA monitor off so that nothing writes to the cases while they are listed, and
    /// the development agent seeing only its own teams' cases (Development lets it see every team), and the SQLite page
    /// cache the hand-written SQL gets too.
    /// </summary>
    public ApiOptions Api => new ApiOptions(
            ApiDll,
            RateLimiting: false,
            new Dictionary<string, string>
            {
                ["Cases__MonitorEnabled"] = "false",
                ["Cases__EveryTeamMembers__0"] = "nobody",
                ["Database__SqliteCacheMiB"] = SqliteCacheMiB.ToString(CultureInfo.InvariantCulture),
            },
            Verbose)
        .With(_apiSettings);

    public static bool TryParse(string[] args, [NotNullWhen(true)] out CasesBenchOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = new CasesBenchOptions();
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
            case "--cases":
                return Number(name, value, 20_000, 10_000_000, v => Cases = v);
            case "--repetitions":
                return Number(name, value, 1, 1_000, v => Repetitions = v);
            case "--block":
                return Number(name, value, 0, 100, v => Block = v);
            case "--warmup":
                return Number(name, value, 0, 1_000, v => Warmup = v);
            case "--deep-pages":
                return Number(name, value, 2, 2_000, v => DeepPages = v);
            case "--warmup-seconds":
                return Number(name, value, 0, 600, v => WarmupTime = TimeSpan.FromSeconds(v));
            case "--only":
                Only = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                return null;
            case "--hold":
                return Number(name, value, 0, 3_600, v => HoldSeconds = v);
            case "--sqlite-cache-mib":
                return Number(name, value, 1, 4_096, v => SqliteCacheMiB = v);
            case "--seed":
                return Number(name, value, 0, int.MaxValue, v => Seed = v);
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
