namespace ClosedLoop.Bench.Hosting;

/// <summary>The one HTTP client a run uses: keep-alive, loopback only, no proxy, enough connections for every worker; the ingest key unless told otherwise.</summary>
public static class BenchHttp
{
    public const string IngestKey = "dev-ingest-key";
    public const string AdminKey = "dev-admin-key";
    public const string AgentKey = "dev-agent-key";
    public const string ApiKeyHeader = "X-Api-Key";

    public static HttpClient Create(Uri baseAddress, int connections, TimeSpan timeout, string apiKey = IngestKey)
    {
        if (!baseAddress.IsLoopback)
        {
            throw new BenchException($"Refusing to send benchmark traffic to {baseAddress}: loopback only.");
        }

        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = Math.Max(1, connections),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout };
        http.DefaultRequestHeaders.Add(ApiKeyHeader, apiKey);
        return http;
    }
}
