using System.Diagnostics;
using ClosedLoop.AppHost.Postgres;

namespace ClosedLoop.AppHost;

/// <summary>Whether a container runtime answers here (Docker or Podman, as Aspire would use it).</summary>
internal static class ContainerRuntime
{
    public static bool IsAvailable()
    {
        var preferred = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME");
        foreach (var name in preferred is { Length: > 0 } ? [preferred] : (string[])["docker", "podman"])
        {
            if (PostgresBinaries.OnPath(name) is not { } path)
            {
                continue;
            }

            try
            {
                using var info = Process.Start(new ProcessStartInfo(path, "info") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
                if (info is not null && info.WaitForExit(TimeSpan.FromSeconds(10)) && info.ExitCode == 0)
                {
                    return true;
                }

                info?.Kill(entireProcessTree: true);
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }

        return false;
    }
}
