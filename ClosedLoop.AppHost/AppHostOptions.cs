using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ClosedLoop.AppHost;

internal sealed record AppHostOptions
{
    public const int DefaultPort = 5080;

    public int Port { get; init; } = DefaultPort;
    public int Replicas { get; init; } = 1;
    public bool Postgres { get; init; }
    public bool Smtp { get; init; }
    public bool Help { get; init; }

    public const string Usage = """
        Usage: dotnet run --project ClosedLoop.AppHost [-- options]

        Starts the ClosedLoop API in Development (SQLite in ./.closedloop by default),
        waits until /health answers 200, prints the URLs and runs until Ctrl+C.

        Options:
          --port <N>       first API port (default 5080); replica i listens on N+i
          --postgres       use a throw-away local PostgreSQL cluster instead of SQLite
          --replicas <N>   run N API processes on one database (default 1; N > 1 needs --postgres)
          --smtp           start MailDev for e-mail (not available yet)
          -h, --help       show this help

        Environment:
          CLOSEDLOOP_API_DLL            run this ClosedLoop.Api.dll instead of the one built with the AppHost
          OTEL_EXPORTER_OTLP_ENDPOINT   passed on to the API, like every other variable
        """;

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out AppHostOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        var result = new AppHostOptions();
        for (var i = 0; i < args.Count; i++)
        {
            // Accept both "--port 5081" and "--port=5081".
            var (name, inlineValue) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            switch (name)
            {
                case "-h" or "--help" or "-?" when inlineValue is null:
                    result = result with { Help = true };
                    break;
                case "--postgres" when inlineValue is null:
                    result = result with { Postgres = true };
                    break;
                case "--smtp" when inlineValue is null:
                    result = result with { Smtp = true };
                    break;
                case "--port" or "--replicas":
                    var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                    {
                        error = $"{name} needs a whole number, got '{value ?? "nothing"}'.";
                        return false;
                    }
                    result = name == "--port" ? result with { Port = number } : result with { Replicas = number };
                    break;
                default:
                    error = $"Unknown option '{args[i]}'.";
                    return false;
            }
        }

        error = Validate(result);
        if (error is not null)
        {
            return false;
        }
        options = result;
        return true;
    }

    private static string? Validate(AppHostOptions o) => o switch
    {
        { Port: < 1 or > 65535 } => $"--port must be between 1 and 65535, got {o.Port}.",
        { Replicas: < 1 } => $"--replicas must be at least 1, got {o.Replicas}.",
        { Replicas: > 1, Postgres: false } => "--replicas greater than 1 needs --postgres: SQLite is a single-node database, replicas must share PostgreSQL.",
        _ when o.Port + o.Replicas - 1 > 65535 => $"--port {o.Port} with --replicas {o.Replicas} runs past port 65535.",
        _ => null,
    };
}
