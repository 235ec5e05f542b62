using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using ClosedLoop.Communication.Data;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// POSTs a webhook row's payload, signed per Standard Webhooks, to its endpoint. The client is its own, not one from
/// the host's factory: no retry or redirect may happen behind the dispatcher's back (a redirect could lead anywhere),
/// no proxy may connect on our behalf, and every connection goes through <see cref="WebhookTargetGuard"/>.
/// </summary>
internal sealed class WebhookTransport : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public WebhookTransport(WebhookTargetGuard guard, IOptions<WebhookOptions> options, TimeProvider time)
    {
        _timeout = options.Value.Timeout;
        _time = time;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = guard.ConnectAsync,
            ConnectTimeout = _timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Delivers one webhook; throws unless the receiver answered 2xx within the time-out.</summary>
    public async Task SendAsync(MessageRecord message, WebhookEndpointRecord endpoint, CancellationToken cancellationToken)
    {
        var body = message.Payload ?? "{}";
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = Json } };
        request.Headers.Add("webhook-id", message.ExternalId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(endpoint.Secret, message.ExternalId, timestamp, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new DeliveryFailedException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DeliveryFailedException($"No answer within {_timeout.TotalSeconds:0.#} s");
        }
    }

    public void Dispose() => _client.Dispose();
}
