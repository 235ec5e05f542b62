using System.Diagnostics;
using System.Globalization;

namespace ClosedLoop.Api.Hosting;

/// <summary>
/// <c>Server-Timing: app;dur=…</c> on every answer an API endpoint gives: the milliseconds the endpoint itself took
/// (checking the input, the database, building the result), without the HTTP pipeline around it and without writing
/// the body. Answers given before an endpoint runs (authentication, rate limits, binding) carry none.
/// A browser's network panel shows it beside the whole call, so whoever builds a UI on the API sees how much of a
/// slow call was the server's work and how much the network, the connection or the client.
/// </summary>
internal static class ServerTiming
{
    public const string Header = "Server-Timing";

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await next(context);
        var response = context.HttpContext.Response;
        if (!response.HasStarted)
        {
            response.Headers.Append(Header, string.Create(CultureInfo.InvariantCulture, $"app;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.###}"));
        }

        return result;
    }
}
