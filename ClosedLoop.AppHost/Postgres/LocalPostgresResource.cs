using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ClosedLoop.AppHost.Postgres;

/// <summary>
/// PostgreSQL run from the server binaries installed on this machine, where no container runtime exists (this machine,
/// CI): an Aspire executable resource whose cluster is created on first start in the AppHost's data folder and kept
/// across runs, with a health check and a connection string other resources reference.
/// </summary>
internal sealed class LocalPostgresResource(string name, string command, string clusterDirectory, int port)
    : ExecutableResource(name, command, clusterDirectory), IResourceWithConnectionString
{
    /// <summary>Preferred port: the API's plus this (5080 → 15432); another free one when it is taken.</summary>
    public const int PortOffset = 10_352;

    public const string SuperUser = "postgres";
    public const string Database = "closedloop";

    public int Port { get; } = port;

    public string ClusterDirectory { get; } = clusterDirectory;

    public string DataDirectory => Path.Combine(ClusterDirectory, "data");

    public string ConnectionString => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={SuperUser};Database={Database}";

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{ConnectionString}");
}

internal static class LocalPostgresExtensions
{
    /// <summary>
    /// The server runs in the foreground under a shell that turns the stop signal Aspire sends into PostgreSQL's fast
    /// shutdown (SIGINT: clients are disconnected, the cluster is left clean), so a stop never waits on open connections.
    /// </summary>
    private const string Supervisor = """
        postgres "$@" & pid=$!
        trap 'kill -INT "$pid"' TERM INT HUP
        wait "$pid"; trap - TERM INT HUP; wait "$pid"
        """;

    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, PostgresBinaries binaries, string directory, int preferredPort)
    {
        var cluster = Reachable(directory, binaries);
        var port = FreeOr(preferredPort);
        string[] server =
        [
            "-D", Path.Combine(cluster, "data"), "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300",
        ];
        var script = Supervisor.Replace("postgres \"$@\"", $"'{Path.Combine(binaries.BinDirectory, "postgres")}' \"$@\"", StringComparison.Ordinal);
        string[] shell = ["-c", script, "postgres", .. server];
        var (command, arguments) = binaries.RunUser is null
            ? ("/bin/sh", shell)
            : (binaries.RunUser, (string[])["-u", LocalPostgresResource.SuperUser, "--", "/bin/sh", .. shell]);

        var resource = new LocalPostgresResource(name, command, cluster, port);
        var check = $"{name}-accepts-connections";
        builder.Services.AddHealthChecks().AddCheck(check, new AcceptsConnections(resource));
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, (_, cancellationToken) => InitializeAsync(binaries, resource, cancellationToken));
        return builder.AddResource(resource).WithArgs([.. arguments]).WithHealthCheck(check);
    }

    /// <summary>initdb on first start; the cluster is kept for the next run.</summary>
    private static async Task InitializeAsync(PostgresBinaries binaries, LocalPostgresResource resource, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(resource.DataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(resource.ClusterDirectory);
        if (binaries.RunUser is not null)
        {
            await RunCheckedAsync(("chown", ["-R", $"{LocalPostgresResource.SuperUser}:", resource.ClusterDirectory]), resource.ClusterDirectory, cancellationToken);
        }

        // --no-locale: a fresh machine may lack the locale the environment names.
        await RunCheckedAsync(
            binaries.Command("initdb", ["-D", resource.DataDirectory, "-U", LocalPostgresResource.SuperUser, "-A", "trust", "-E", "UTF8", "--no-locale"]),
            resource.ClusterDirectory,
            cancellationToken);
    }

    private static async Task RunCheckedAsync((string FileName, IReadOnlyList<string> Arguments) command, string directory, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await ProcessRunner.RunAsync(command.FileName, command.Arguments, directory, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(command.FileName)} {string.Join(' ', command.Arguments)} failed (exit code {exitCode}): {output}");
        }
    }

    /// <summary>
    /// The cluster's folder. Run as root, PostgreSQL runs as the postgres user, who must be able to reach it: a data
    /// folder below a private home directory gets a folder of its own under /var/tmp instead (named after the original).
    /// </summary>
    private static string Reachable(string directory, PostgresBinaries binaries)
    {
        if (binaries.RunUser is null || OperatingSystem.IsWindows())
        {
            return directory;
        }

        for (var parent = Path.GetDirectoryName(directory); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (Directory.Exists(parent) && !File.GetUnixFileMode(parent).HasFlag(UnixFileMode.OtherExecute))
            {
                var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(directory)))[..12];
                return Path.Combine("/var/tmp", $"closedloop-postgres-{key}");
            }
        }

        return directory;
    }

    private static int FreeOr(int preferred)
    {
        foreach (var port in preferred is > 0 and <= 65_535 ? [preferred, 0] : (int[])[0])
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            catch (SocketException) when (port != 0)
            {
            }
        }

        throw new InvalidOperationException("No free TCP port on the loopback address.");
    }

    /// <summary>Healthy once the server accepts a login (the API then creates and migrates its database).</summary>
    private sealed class AcceptsConnections(LocalPostgresResource resource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var connection = new NpgsqlConnectionStringBuilder(resource.ConnectionString) { Database = "postgres", Timeout = 5, Pooling = false };
                await using var session = new NpgsqlConnection(connection.ConnectionString);
                await session.OpenAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy($"PostgreSQL on port {resource.Port} does not accept connections yet.", ex);
            }
        }
    }
}
