using Microsoft.Extensions.Configuration;

namespace ClosedLoop.AppHost;

/// <summary>
/// Where the dashboard listens when nothing says otherwise (an AppHost made from Aspire's template gets these from
/// launchSettings.json, which `dotnet ClosedLoop.AppHost.dll` and the testing builder never read): plain HTTP on
/// localhost, at ports derived from the API's (5080 → dashboard 15080, OTLP 19080, resource service 20080).
/// </summary>
internal static class Dashboard
{
    public static void UseLocalDefaults(IConfigurationManager configuration, int apiPort)
    {
        var (ui, otlp, resources) = apiPort + 15_000 <= 65_535 ? (apiPort + 10_000, apiPort + 14_000, apiPort + 15_000) : (18_888, 18_889, 18_890);
        var defaults = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://localhost:{ui}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{otlp}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{resources}",

            // Local and plain HTTP: no development certificate is needed (none exists on a fresh machine or in CI).
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
        };
        configuration.AddInMemoryCollection(defaults.Where(d => string.IsNullOrEmpty(configuration[d.Key])));
    }
}
