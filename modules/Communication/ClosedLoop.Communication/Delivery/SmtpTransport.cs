using System.Collections.Concurrent;
using ClosedLoop.Communication.Data;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// Sends email rows over a small pool of connected SMTP clients (one per parallel send at most): connecting,
/// EHLO and TLS cost more than a message, so reusing connections is what makes hundreds of emails a second possible.
/// A client that failed in any way is thrown away rather than reset; one idle too long is replaced before use.
/// </summary>
internal sealed class SmtpTransport : IAsyncDisposable
{
    /// <summary>Servers drop idle sessions (Postfix after 5 min, many relays sooner); past this we reconnect first.</summary>
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<PooledClient> _idle = new();
    private readonly SmtpOptions _options;
    private readonly int _capacity;
    private readonly ILogger<SmtpTransport> _logger;

    public SmtpTransport(IOptions<SmtpOptions> smtp, IOptions<DeliveryOptions> delivery, ILogger<SmtpTransport> logger)
    {
        _options = smtp.Value;
        _capacity = delivery.Value.Concurrency;
        _logger = logger;
    }

    public bool IsConfigured => _options.IsConfigured;

    /// <summary>Hands one email to the relay; throws when it was not accepted.</summary>
    public async Task SendAsync(MessageRecord message, CancellationToken cancellationToken)
    {
        var mime = EmailComposer.Compose(message, _options);
        var (client, reused) = await RentAsync(cancellationToken);
        try
        {
            await client.Client.SendAsync(mime, cancellationToken);
            Return(client);
            return;
        }
        catch (Exception ex) when (reused && ex is ServiceNotConnectedException or IOException or SmtpProtocolException)
        {
            // A pooled connection the server had closed: fails before the message is handed over, so one more try on a
            // fresh connection cannot duplicate it.
            Discard(client);
        }
        catch
        {
            Discard(client);
            throw;
        }

        var fresh = await ConnectAsync(cancellationToken);
        try
        {
            await fresh.Client.SendAsync(mime, cancellationToken);
            Return(fresh);
        }
        catch
        {
            Discard(fresh);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryDequeue(out var client))
        {
            await QuitAsync(client);
        }
    }

    private async Task<(PooledClient Client, bool Reused)> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryDequeue(out var pooled))
        {
            if (pooled.Client.IsConnected && DateTimeOffset.UtcNow - pooled.LastUsed < MaxIdle)
            {
                return (pooled, true);
            }

            Discard(pooled);
        }

        return (await ConnectAsync(cancellationToken), false);
    }

    private async Task<PooledClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds) };
        try
        {
            await client.ConnectAsync(_options.Host ?? throw new InvalidOperationException("Smtp:Host is not configured."), _options.Port, _options.Security, cancellationToken);
            if (!string.IsNullOrWhiteSpace(_options.UserName))
            {
                await client.AuthenticateAsync(_options.UserName, _options.Password ?? "", cancellationToken);
            }

            return new PooledClient(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private void Return(PooledClient client)
    {
        client.LastUsed = DateTimeOffset.UtcNow;
        if (_idle.Count < _capacity)
        {
            _idle.Enqueue(client);
        }
        else
        {
            _ = QuitAsync(client);
        }
    }

    private static void Discard(PooledClient client) => client.Client.Dispose();

    private async Task QuitAsync(PooledClient client)
    {
        try
        {
            if (client.Client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.Client.DisconnectAsync(quit: true, timeout.Token);
            }
        }
#pragma warning disable CA1031 // A QUIT that fails leaves nothing to clean up but the socket, which Dispose closes.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogDebug(ex, "SMTP QUIT failed");
        }
        finally
        {
            client.Client.Dispose();
        }
    }

    private sealed class PooledClient(SmtpClient client)
    {
        public SmtpClient Client { get; } = client;

        public DateTimeOffset LastUsed { get; set; } = DateTimeOffset.UtcNow;
    }
}
