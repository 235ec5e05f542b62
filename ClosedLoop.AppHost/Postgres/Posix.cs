using System.Runtime.InteropServices;

namespace ClosedLoop.AppHost.Postgres;

/// <summary>
/// The two libc calls .NET does not expose: a graceful signal (Process.Kill only sends SIGKILL)
/// and the effective uid (PostgreSQL refuses to run as root).
/// </summary>
internal static class Posix
{
    public const int SIGINT = 2;
    public const int SIGTERM = 15;
    private const int ESRCH = 3;

    public static bool IsRoot => !OperatingSystem.IsWindows() && geteuid() == 0;

    /// <summary>Sends <paramref name="signal"/>; false where signals do not exist or the process is gone.</summary>
    public static bool Signal(int pid, int signal) => !OperatingSystem.IsWindows() && kill(pid, signal) == 0;

    /// <summary>Whether a process we did not start (so cannot wait for) still runs.</summary>
    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }
        if (kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() == ESRCH)
        {
            return false;
        }
        // An orphan whose parent never reaps it lingers as a zombie and still answers kill(pid, 0).
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            var state = text.AsSpan(text.LastIndexOf(')') + 1).TrimStart();
            return state.Length == 0 || state[0] != 'Z';
        }
        catch (IOException)
        {
            return File.Exists(stat) || !Directory.Exists("/proc");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();
}
