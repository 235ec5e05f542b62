using System.Diagnostics.CodeAnalysis;

namespace ClosedLoop.AppHost.Postgres;

/// <summary>
/// Finds the PostgreSQL server binaries at run time. Debian keeps them under a versioned directory
/// off PATH (/usr/lib/postgresql/&lt;version&gt;/bin), so the version is discovered, never assumed.
/// </summary>
internal sealed class PostgresBinaries
{
    private const string ServiceUser = "postgres";
    private static readonly string[] Tools = ["initdb", "pg_ctl", "postgres"];
    private static readonly Lazy<(PostgresBinaries? Binaries, string? Reason)> Located = new(Locate);

    private PostgresBinaries(string directory, string? runUser)
    {
        BinDirectory = directory;
        RunUser = runUser;
    }

    public string BinDirectory { get; }

    /// <summary>runuser's path when we are root: PostgreSQL refuses to run as root, so its tools run as the postgres user.</summary>
    public string? RunUser { get; }

    public static bool TryLocate([NotNullWhen(true)] out PostgresBinaries? binaries, [NotNullWhen(false)] out string? reason)
    {
        (binaries, reason) = Located.Value;
        return binaries is not null;
    }

    /// <summary>The command line that runs <paramref name="tool"/> as a user PostgreSQL accepts.</summary>
    public (string FileName, IReadOnlyList<string> Arguments) Command(string tool, IEnumerable<string> arguments)
    {
        var path = Path.Combine(BinDirectory, tool);
        return RunUser is null ? (path, [.. arguments]) : (RunUser, ["-u", ServiceUser, "--", path, .. arguments]);
    }

    private static (PostgresBinaries?, string?) Locate()
    {
        var directory = Candidates().FirstOrDefault(d => Tools.All(t => File.Exists(Path.Combine(d, t))));
        if (directory is null)
        {
            return (null, $"PostgreSQL server binaries ({string.Join(", ", Tools)}) were not found on PATH, "
                + "in `pg_config --bindir` or under /usr/lib/postgresql/*/bin; install the PostgreSQL server (e.g. apt-get install postgresql).");
        }
        if (!Posix.IsRoot)
        {
            return (new PostgresBinaries(directory, runUser: null), null);
        }
        var runUser = OnPath("runuser");
        return runUser is null
            ? (null, $"Running as root, but PostgreSQL refuses to run as root and `runuser` (to run it as the '{ServiceUser}' user) was not found on PATH.")
            : (new PostgresBinaries(directory, runUser), null);
    }

    private static IEnumerable<string> Candidates()
    {
        foreach (var directory in PathDirectories())
        {
            yield return directory;
        }
        if (OnPath("pg_config") is { } pgConfig && PgConfigBinDir(pgConfig) is { } binDir)
        {
            yield return binDir;
        }
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Path: d, Version: ParseVersion(Path.GetFileName(d))))
                .Where(d => d.Version is not null)
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Path is not null)
            {
                yield return Path.Combine(newest.Path, "bin");
            }
        }
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version : null;

    private static string? PgConfigBinDir(string pgConfig)
    {
        try
        {
            var (exitCode, output) = ProcessRunner.RunAsync(pgConfig, ["--bindir"], null, CancellationToken.None).GetAwaiter().GetResult();
            return exitCode == 0 && output.Length > 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public static string? OnPath(string name) =>
        PathDirectories().Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static IEnumerable<string> PathDirectories() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
