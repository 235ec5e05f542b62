using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace ClosedLoop.Api.Tests.Infrastructure;

/// <summary>
/// A real SMTP server for tests: MailDev through <c>npx</c> (pinned like the AppHost's; <c>.ci/run</c> installs Node.js),
/// started once per test process and stopped when it exits. Its REST API (<c>GET /email</c>) shows what arrived.
/// </summary>
public sealed class MailDevServer
{
    private static readonly Lazy<Task<MailDevServer>> Instance = new(StartAsync);
    private readonly HttpClient _web;

    private MailDevServer(int smtpPort, int webPort)
    {
        SmtpPort = smtpPort;
        _web = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}") };
    }

    public int SmtpPort { get; }

    public static Task<MailDevServer> SharedAsync() => Instance.Value;

    /// <summary>The settings that point a host's SMTP transport at this server.</summary>
    public void Configure(IDictionary<string, string?> settings)
    {
        settings["Smtp:Host"] = "127.0.0.1";
        settings["Smtp:Port"] = SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Smtp:UseTls"] = "false";
    }

    /// <summary>Waits (up to 60 s) until <paramref name="count"/> mails to <paramref name="to"/> arrived; answers them, oldest first.</summary>
    public async Task<IReadOnlyList<JsonElement>> MailsToAsync(string to, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var mails = (await _web.GetFromJsonAsync<JsonElement>("/email")).EnumerateArray()
                .Where(m => m.GetProperty("to").EnumerateArray().Any(a => string.Equals(a.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase)))
                .ToList();
            if (mails.Count >= count)
            {
                return mails;
            }

            Assert.True(DateTime.UtcNow < deadline, $"MailDev received {mails.Count} of {count} mails for {to}.");
            await Task.Delay(100);
        }
    }

    private static async Task<MailDevServer> StartAsync()
    {
        var (smtp, web) = (FreePort(), FreePort());
        var folder = Path.Combine(Path.GetTempPath(), "closedloop-maildev");
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("npx", ["--yes", "maildev@2.2.1", "--ip", "127.0.0.1", "--smtp", $"{smtp}", "--web", $"{web}"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("npx did not start (is Node.js installed?).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        };

        var server = new MailDevServer(smtp, web);
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            try
            {
                if ((await server._web.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"MailDev did not start (exit code {(process.HasExited ? process.ExitCode : -1)}); it needs Node.js (npx) and the npm registry once.");
            }

            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
