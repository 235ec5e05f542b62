using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ClosedLoop.AppHost;

/// <summary>
/// The built ClosedLoop.Api and how to launch it. Its path is baked in at build time (the AssemblyMetadata
/// in the csproj), the way Aspire's generated <c>Projects.*</c> types carry a project path.
/// </summary>
internal sealed class ApiProject
{
    public const string OverrideVariable = "CLOSEDLOOP_API_DLL";
    private const string MetadataKey = "ClosedLoop.ApiAssembly";

    private ApiProject(string dllPath) => DllPath = dllPath;

    public string DllPath { get; }

    /// <summary>The API's output folder, so its appsettings*.json are found whatever the working directory.</summary>
    public string ContentRoot => Path.GetDirectoryName(DllPath)!;

    public static bool TryLocate([NotNullWhen(true)] out ApiProject? api, [NotNullWhen(false)] out string? error)
    {
        var configured = Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : typeof(ApiProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == MetadataKey)?.Value;
        api = null;
        if (configured is null)
        {
            error = $"The AppHost was built without the {MetadataKey} metadata; set {OverrideVariable} to ClosedLoop.Api.dll.";
            return false;
        }
        var path = Path.GetFullPath(configured);
        if (!File.Exists(path))
        {
            error = $"ClosedLoop.Api was not found at {path}; build it (dotnet build ClosedLoop.sln) or set {OverrideVariable}.";
            return false;
        }
        api = new ApiProject(path);
        error = null;
        return true;
    }

    /// <summary>The dotnet host to run the API with: the one running us, so SDK and runtime versions match.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } processPath && Path.GetFileName(processPath) == executable)
        {
            return processPath;
        }
        // Launched through the apphost executable: the runtime lives in <dotnet root>/shared/Microsoft.NETCore.App/<version>/.
        var dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(dotnetRoot, executable);
        return File.Exists(candidate) ? candidate : executable;
    }
}
