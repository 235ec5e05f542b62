using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// Keeps webhooks from reaching inside the network (SSRF): a target whose address is loopback, private, link-local
/// (the cloud metadata service at 169.254.169.254), CGNAT, unspecified, multicast or reserved is refused, also when it
/// hides in an IPv4-mapped or NAT64 IPv6 address. Checked when an endpoint is saved, and again on the address each
/// send actually connects to (<see cref="ConnectAsync"/>), so a name that resolves elsewhere later (DNS rebinding)
/// gains nothing.
/// </summary>
internal sealed class WebhookTargetGuard(IOptions<WebhookOptions> options)
{
    public const int MaxUrlLength = 2000;

    private static readonly (IPAddress Network, int Prefix)[] ForbiddenV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8),
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("224.0.0.0"), 4),
        (IPAddress.Parse("240.0.0.0"), 4),
    ];

    private static readonly (IPAddress Network, int Prefix)[] ForbiddenV6 =
    [
        (IPAddress.IPv6Any, 128),
        (IPAddress.IPv6Loopback, 128),
        (IPAddress.Parse("fc00::"), 7),
        (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("fec0::"), 10),
        (IPAddress.Parse("ff00::"), 8),
    ];

    private static readonly IPAddress Nat64 = IPAddress.Parse("64:ff9b::");

    private readonly bool _allowPrivate = options.Value.AllowPrivateTargets;

    /// <summary>Whether an address is one a webhook must never be sent to.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return IsForbidden(address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return Array.Exists(ForbiddenV4, n => InNetwork(address, n.Network, n.Prefix));
        }

        if (InNetwork(address, Nat64, 96))
        {
            // NAT64 embeds the IPv4 target in the low 32 bits.
            return IsForbidden(new IPAddress(address.GetAddressBytes()[12..]));
        }

        return Array.Exists(ForbiddenV6, n => InNetwork(address, n.Network, n.Prefix));
    }

    /// <summary>Why <paramref name="url"/> cannot be a webhook target, or null when it can (resolving its host).</summary>
    public async Task<string?> CheckAsync(string? url, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "url is required: the absolute http or https address that receives the webhooks.";
        }

        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return $"url must be an absolute http or https address of at most {MaxUrlLength} characters.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "url must not carry credentials; the receiver verifies the signature instead.";
        }

        if (_allowPrivate)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"url's host '{uri.Host}' does not resolve.";
        }

        var forbidden = addresses.FirstOrDefault(IsForbidden);
        return forbidden is not null || addresses.Length == 0
            ? $"url's host '{uri.Host}' resolves to {forbidden?.ToString() ?? "nothing"}, a loopback, private, link-local or otherwise internal address; webhooks go to public addresses only."
            : null;
    }

    /// <summary>
    /// The webhook client's connect step: resolves the host and connects to the first permitted address, never to a
    /// forbidden one, whatever the name resolved to when the endpoint was saved.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var permitted = _allowPrivate ? addresses : Array.FindAll(addresses, a => !IsForbidden(a));
        if (permitted.Length == 0)
        {
            throw new WebhookTargetRefusedException(
                $"Refused: webhook target '{host}' resolves to {(addresses.Length == 0 ? "nothing" : string.Join(", ", addresses.Take(3)))}, not a public address.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var whole = prefix / 8;
        for (var i = 0; i < whole; i++)
        {
            if (a[i] != n[i])
            {
                return false;
            }
        }

        var rest = prefix % 8;
        return rest == 0 || (a[whole] & (0xFF << (8 - rest)) & 0xFF) == (n[whole] & (0xFF << (8 - rest)) & 0xFF);
    }
}
