using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace ClosedLoop.Bench.Hosting;

/// <summary>How the API is launched: which build, which runtime, which port, and its configuration.</summary>
public static class ApiLaunch
{
    public static ProcessStartInfo StartInfo(ApiOptions options, Provider provider, string connectionString, int port)
    {
        var dll = LocateApi(options);
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        startInfo.ArgumentList.Add(dll);
        startInfo.ArgumentList.Add("--port");
        startInfo.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        var environment = startInfo.Environment;
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "OTEL_EXPORTER_OTLP_ENDPOINT" })
        {
            environment.Remove(inherited);
        }

        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["ASPNETCORE_CONTENTROOT"] = Path.GetDirectoryName(dll)!;
        environment["Database__Provider"] = provider.ToString();
        environment["ConnectionStrings__closedloop"] = connectionString;
        if (!options.RateLimiting)
        {
            // Limits far above what the machine can do, rather than RateLimiting:Enabled=false: with it off the
            // API registers no "ingest" policy and every ingest route answers 500 (see bench/README.md).
            foreach (var bucket in new[] { "PerCaller", "Ingest" })
            {
                environment[$"RateLimiting__{bucket}__PermitsPerSecond"] = "100000000";
                environment[$"RateLimiting__{bucket}__Burst"] = "100000000";
            }
        }

        foreach (var (key, value) in options.Settings)
        {
            environment[key] = value;
        }

        return startInfo;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string LocateApi(ApiOptions options)
    {
        var configured = options.ApiDll ?? typeof(ApiLaunch).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ClosedLoop.ApiAssembly")?.Value;
        var path = configured is null ? null : Path.GetFullPath(configured);
        return path is not null && File.Exists(path)
            ? path
            : throw new BenchException($"ClosedLoop.Api.dll not found at {path}; build it (dotnet build -c Release ClosedLoop.sln) or pass --api-dll.");
    }

    /// <summary>The dotnet host running us, so the API runs on the same runtime.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";
}
