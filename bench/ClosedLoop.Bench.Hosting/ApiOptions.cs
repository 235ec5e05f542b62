namespace ClosedLoop.Bench.Hosting;

/// <summary>The database engine behind the API.</summary>
public enum Provider
{
    Sqlite,
    PostgreSql,
}

/// <summary>How the API is launched, from a driver's command line.</summary>
/// <param name="ApiDll">The ClosedLoop.Api.dll to launch; null: this build's output.</param>
/// <param name="RateLimiting">Keep the API's per-caller limits instead of raising them out of reach.</param>
/// <param name="Settings">Environment variables for the API process (<c>Section__Key</c>).</param>
/// <param name="Verbose">Echo the API's log.</param>
public sealed record ApiOptions(string? ApiDll, bool RateLimiting, IReadOnlyDictionary<string, string> Settings, bool Verbose)
{
    /// <summary>The same launch with more settings (these win).</summary>
    public ApiOptions With(IReadOnlyDictionary<string, string> settings)
    {
        var merged = new Dictionary<string, string>(Settings, StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            merged[key] = value;
        }

        return this with { Settings = merged };
    }
}

/// <summary>A failure worth one line, not a stack trace: the API did not start, an import failed, ….</summary>
public sealed class BenchException(string message) : Exception(message);
