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

    /// <summary>MailDev's SMTP port (with --smtp).</summary>
    public int SmtpPort { get; init; } = 1025;

    /// <summary>MailDev's web UI and REST API port (with --smtp).</summary>
    public int SmtpWebPort { get; init; } = 1080;
    public bool Help { get; init; }

    /// <summary>Where the SQLite database and the local PostgreSQL cluster live (relative to the working directory).</summary>
    public string DataDirectory { get; init; } = ".closedloop";

    /// <summary>Configuration for Aspire itself (<c>--Section:Key=value</c>), passed through.</summary>
    public IReadOnlyList<string> AspireArguments { get; init; } = [];

    public const string Usage = """
        Usage: dotnet run --project ClosedLoop.AppHost [-- options]

        The Aspire AppHost: starts the ClosedLoop API in Development (SQLite in ./.closedloop by
        default) and the Aspire dashboard with its logs, traces and metrics, prints the addresses
        (API, Swagger UI, dashboard login link) and runs until Ctrl+C, which stops everything.

        Options:
          --port <N>       first API port (default 5080); replica i listens on N+i; the dashboard
                           on N+10000, its OTLP endpoint on N+14000
          --postgres       PostgreSQL instead of SQLite: a container where a container runtime
                           answers, else the installed server binaries (cluster kept in the data
                           folder, on port N+10352 when free)
          --replicas <N>   run N API processes on one database (default 1; N > 1 needs --postgres)
          --data <DIR>     the data folder (default .closedloop; relative to the repository)
          --smtp           MailDev for e-mail: SMTP on 1025, web UI and REST API on http://localhost:1080
                           (a container where a runtime answers, else `npx maildev`); the API sends to it
          --smtp-port <N>, --smtp-web-port <N>   MailDev's ports
          -h, --help       show this help

        Aspire settings pass through as --Section:Key=value (e.g. --ASPNETCORE_URLS=http://localhost:16000).
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
                case "--data":
                    var folder = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
                    if (string.IsNullOrWhiteSpace(folder))
                    {
                        error = "--data needs a folder.";
                        return false;
                    }

                    result = result with { DataDirectory = folder };
                    break;
                case var setting when setting.StartsWith("--", StringComparison.Ordinal) && (setting.Contains(':', StringComparison.Ordinal) || setting.Contains('_', StringComparison.Ordinal)):
                    result = result with { AspireArguments = [.. result.AspireArguments, args[i]] };
                    break;
                case "--smtp-port" or "--smtp-web-port":
                    var text = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mailPort) || mailPort is < 1 or > 65535)
                    {
                        error = $"{name} needs a port between 1 and 65535, got '{text ?? "nothing"}'.";
                        return false;
                    }

                    result = name == "--smtp-port" ? result with { SmtpPort = mailPort } : result with { SmtpWebPort = mailPort };
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
