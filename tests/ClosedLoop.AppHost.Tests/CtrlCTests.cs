using System.Diagnostics;
using System.Text;

namespace ClosedLoop.AppHost.Tests;

/// <summary>
/// The AppHost as a person runs it (`dotnet run --project ClosedLoop.AppHost`, here its built dll): it prints the API,
/// Swagger and dashboard addresses with the login link, and Ctrl+C stops every process it started.
/// </summary>
public sealed class CtrlCTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task It_prints_the_addresses_and_ctrl_c_leaves_no_process_behind()
    {
        var port = Ports.FreeTcpPort() is var p && p + 15_000 <= 65_535 ? p : 20_000 + Random.Shared.Next(20_000);
        var data = Directory.CreateTempSubdirectory("closedloop-ctrlc-");
        if (!OperatingSystem.IsWindows())
        {
            data.UnixFileMode |= UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = data.FullName };
        foreach (var argument in (string[])[typeof(AppHostOptions).Assembly.Location, "--port", $"{port}", "--data", data.FullName, "--postgres"])
        {
            start.ArgumentList.Add(argument);
        }

        var console = new StringBuilder();
        using var host = new Process { StartInfo = start };
        host.OutputDataReceived += (_, e) => Record(e.Data);
        host.ErrorDataReceived += (_, e) => Record(e.Data);
        host.Start();
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            await WaitForAsync(() => Text().Contains($"API http://localhost:{port}, Swagger UI http://localhost:{port}/swagger", StringComparison.Ordinal), "the API's addresses");
            Assert.Contains($"Login to the dashboard at http://localhost:{port + 10_000}/login?t=", Text(), StringComparison.Ordinal);
            using var dashboard = new HttpClient();
            Assert.True((await dashboard.GetAsync($"http://localhost:{port + 10_000}/")).IsSuccessStatusCode, "the dashboard answers");

            using (Process.Start("kill", ["-INT", $"{host.Id}"]))
            {
            }

            Assert.True(await Task.Run(() => host.WaitForExit(Patience)), "the AppHost stops on Ctrl+C");
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }

            output.WriteLine(Text());
        }

        await Leftovers.AssertNoneAsync(Patience, data.FullName, $"localhost:{port}");

        void Record(string? line)
        {
            if (line is not null)
            {
                lock (console)
                {
                    console.AppendLine(line);
                }
            }
        }

        string Text()
        {
            lock (console)
            {
                return console.ToString();
            }
        }

        async Task WaitForAsync(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!condition())
            {
                Assert.False(host.HasExited, $"The AppHost exited before {what}.");
                Assert.True(DateTime.UtcNow < deadline, $"No sign of {what} after {Patience}.");
                await Task.Delay(250);
            }
        }
    }
}
