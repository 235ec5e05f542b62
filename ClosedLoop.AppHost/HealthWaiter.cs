using System.Net;

namespace ClosedLoop.AppHost;

/// <summary>Polls a readiness endpoint (the API's <c>/health</c>) until it answers 200.</summary>
internal static class HealthWaiter
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task WaitAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // No proxy: a corporate HTTP_PROXY must not swallow requests to localhost.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var last = "no answer yet";
        try
        {
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync(url, deadline.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                    last = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                }
                catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
                {
                    last = $"no answer within {http.Timeout.TotalSeconds:0} s";
                }
                await Task.Delay(PollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {url} did not answer 200 within {timeout.TotalSeconds:0} s (last: {last}).");
        }
    }
}
