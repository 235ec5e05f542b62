using System.Buffers.Binary;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>
/// Signed, expiring unsubscribe links: <c>{PublicBaseUrl}/u/{token}</c>, sealed by <see cref="LinkSeal"/> (purpose
/// <c>unsubscribe/v1</c>). The payload is a version byte, the customer id (16 bytes, big-endian) and the expiry (Unix
/// seconds, 8 bytes, big-endian): the link is 57 characters.
/// </summary>
internal sealed class UnsubscribeLinks
{
    /// <summary>The token's signature does not match, or it is not a token at all.</summary>
    public const string Invalid = "invalid";

    /// <summary>A genuine token past its expiry.</summary>
    public const string Expired = "expired";

    private const byte Version = 1;
    private const int PayloadBytes = 1 + 16 + 8;

    private readonly LinkSeal _seal;
    private readonly IOptions<ConsentOptions> _options;

    public UnsubscribeLinks(IOptions<ConsentOptions> options, LinkSigningKey key)
    {
        _options = options;
        _seal = new LinkSeal(key, "unsubscribe/v1");
    }

    /// <summary>The link for <paramref name="customerId"/>, valid for <see cref="ConsentOptions.UnsubscribeLinkLifetime"/> from <paramref name="now"/>.</summary>
    public string CreateUrl(Guid customerId, DateTimeOffset now) =>
        $"{_options.Value.PublicBaseUrl.TrimEnd('/')}/u/{CreateToken(customerId, now + _options.Value.UnsubscribeLinkLifetime)}";

    /// <summary>The token alone, expiring at <paramref name="expiresAt"/> (to the second).</summary>
    public string CreateToken(Guid customerId, DateTimeOffset expiresAt)
    {
        Span<byte> payload = stackalloc byte[PayloadBytes];
        payload[0] = Version;
        customerId.TryWriteBytes(payload.Slice(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(payload[17..], expiresAt.ToUnixTimeSeconds());
        return _seal.Seal(payload);
    }

    /// <summary>
    /// Reads a token: true with the customer when it is genuine and unexpired at <paramref name="now"/>; otherwise
    /// false with <see cref="Invalid"/> or <see cref="Expired"/> (the latter only for a genuine token).
    /// </summary>
    public bool TryRead(string? token, DateTimeOffset now, out Guid customerId, out string? failure)
    {
        (customerId, failure) = (Guid.Empty, Invalid);
        Span<byte> buffer = stackalloc byte[PayloadBytes + 3];
        if (!_seal.TryOpen(token, PayloadBytes, PayloadBytes, buffer, out _) || buffer[0] != Version)
        {
            return false;
        }

        var payload = buffer[..PayloadBytes];
        if (BinaryPrimitives.ReadInt64BigEndian(payload[17..]) <= now.ToUnixTimeSeconds())
        {
            failure = Expired;
            return false;
        }

        (customerId, failure) = (new Guid(payload.Slice(1, 16), bigEndian: true), null);
        return true;
    }
}
