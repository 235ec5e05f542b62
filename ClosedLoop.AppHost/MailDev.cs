using System.Globalization;
using ClosedLoop.AppHost.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.AppHost;

/// <summary>
/// MailDev, a real SMTP server that keeps what it receives and shows it in a web UI and a REST API (<c>GET /email</c>):
/// its container where a container runtime answers, else <c>npx maildev</c> (Node.js from the machine; the package from
/// the npm registry on first use), pinned to 2.2.1, the last release that runs on Node 20.
/// </summary>
internal static class MailDev
{
    public const string Version = "2.2.1";

    public static IResourceBuilder<IResourceWithEndpoints>? Add(IDistributedApplicationBuilder builder, int smtpPort, int webPort, out string? reason)
    {
        reason = null;
        IResourceBuilder<IResourceWithEndpoints> mail;
        if (ContainerRuntime.IsAvailable())
        {
            mail = builder.AddContainer("maildev", "maildev/maildev", Version)
                .WithHttpEndpoint(port: webPort, targetPort: 1080, name: "web")
                .WithEndpoint(port: smtpPort, targetPort: 1025, name: "smtp");
        }
        else if (PostgresBinaries.OnPath("npx") is { } npx)
        {
            var folder = Path.Combine(Path.GetTempPath(), "closedloop-maildev");
            Directory.CreateDirectory(folder);
            mail = builder.AddExecutable("maildev", npx, folder, "--yes", $"maildev@{Version}", "--ip", "127.0.0.1", "--smtp", smtpPort.ToString(CultureInfo.InvariantCulture), "--web", webPort.ToString(CultureInfo.InvariantCulture))
                .WithHttpEndpoint(port: webPort, name: "web", isProxied: false);
        }
        else
        {
            reason = "MailDev needs a container runtime (Docker or Podman) or Node.js (npx on PATH; apt-get install nodejs npm).";
            return null;
        }

        mail.WithHttpHealthCheck("/healthz", endpointName: "web");
        builder.Eventing.Subscribe<ResourceReadyEvent>(mail.Resource, (ready, _) =>
        {
            ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ClosedLoop").LogInformation(
                "MailDev is ready: SMTP on localhost:{SmtpPort}; read the mails at http://localhost:{WebPort} (REST: http://localhost:{WebPort}/email)",
                smtpPort, webPort, webPort);
            return Task.CompletedTask;
        });
        return mail;
    }
}
