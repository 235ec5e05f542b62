using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>
/// Signed, expiring unsubscribe links: <c>{PublicBaseUrl}/u/{token}</c>. The token carries everything needed to act
/// on it (no table of issued links to grow with every email): <c>base64url(payload) "." base64url(mac)</c>, where the
/// payload is a version byte, the customer id (16 bytes, big-endian) and the expiry (Unix seconds, 8 bytes,
/// big-endian), and the MAC is HMAC-SHA256 over the payload with a key derived for this purpose, cut to 16 bytes
/// (128 bits: far beyond guessing, and it keeps the link at 57 characters).
/// </summary>
internal sealed class UnsubscribeLinks
{
    /// <summary>The token's signature does not match, or it is not a token at all.</summary>
    public const string Invalid = "invalid";

    /// <summary>A genuine token past its expiry.</summary>
    public const string Expired = "expired";

    private const byte Version = 1;
    private const int PayloadBytes = 1 + 16 + 8;
    private const int MacBytes = 16;
    private static readonly int PayloadChars = Base64Url.GetEncodedLength(PayloadBytes);
    private static readonly int MacChars = Base64Url.GetEncodedLength(MacBytes);

    private readonly Lazy<byte[]> _key;
    private readonly IOptions<ConsentOptions> _options;

    public UnsubscribeLinks(IOptions<ConsentOptions> options, LinkSigningKey key)
    {
        _options = options;
        _key = new Lazy<byte[]>(() => key.DeriveFor("unsubscribe/v1"));
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
        Span<byte> mac = stackalloc byte[MacBytes];
        Sign(payload, mac);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// Reads a token: true with the customer when it is genuine and unexpired at <paramref name="now"/>; otherwise
    /// false with <see cref="Invalid"/> or <see cref="Expired"/>. The signature is checked first and in constant time,
    /// so a forged token never learns more than "invalid" and never how close it came.
    /// </summary>
    public bool TryRead(string? token, DateTimeOffset now, out Guid customerId, out string? failure)
    {
        (customerId, failure) = (Guid.Empty, Invalid);
        if (token is null || token.Length != PayloadChars + 1 + MacChars || token[PayloadChars] != '.')
        {
            return false;
        }

        Span<byte> payload = stackalloc byte[PayloadBytes];
        Span<byte> given = stackalloc byte[MacBytes];
        if (!Decode(token.AsSpan(0, PayloadChars), payload) || !Decode(token.AsSpan(PayloadChars + 1), given))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Sign(payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, given) || payload[0] != Version)
        {
            return false;
        }

        if (BinaryPrimitives.ReadInt64BigEndian(payload[17..]) <= now.ToUnixTimeSeconds())
        {
            failure = Expired;
            return false;
        }

        (customerId, failure) = (new Guid(payload.Slice(1, 16), bigEndian: true), null);
        return true;
    }

    /// <summary>
    /// Strict decoding: exactly the expected bytes, and only the one canonical spelling of them (the decoder itself
    /// accepts padding and stray trailing bits, which would let one token be written several ways).
    /// </summary>
    private static bool Decode(ReadOnlySpan<char> text, Span<byte> into) =>
        Base64Url.DecodeFromChars(text, into, out var consumed, out var written) == OperationStatus.Done
        && consumed == text.Length && written == into.Length
        && text.SequenceEqual(Base64Url.EncodeToString(into));

    private void Sign(ReadOnlySpan<byte> payload, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key.Value, payload, full);
        full[..MacBytes].CopyTo(mac);
    }
}
