using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ClosedLoop.Communication.Features.Consent;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Surveys;

/// <summary>What a survey link is for: one SendSurvey step of one loop instance, for one case and its customer.</summary>
internal sealed record SurveyTicket(Guid InstanceId, string ActivityId, Guid CaseId, Guid CustomerId, DateTimeOffset ExpiresAt);

/// <summary>
/// Signed, expiring survey links: <c>{PublicBaseUrl}/s/{token}</c>, built like unsubscribe links (no table of issued
/// links): <c>base64url(payload) "." base64url(mac)</c>. The payload is a version byte, the instance id, the case id
/// and the customer id (16 bytes each, big-endian), the expiry (Unix seconds, 8 bytes, big-endian) and the activity
/// id (UTF-8, 1–<see cref="MaxActivityIdBytes"/> bytes, to the end); the MAC is HMAC-SHA256 over the payload with the
/// installation's link key derived for <c>survey/v1</c> (never the unsubscribe purpose, so one kind of token never
/// verifies as the other), cut to 16 bytes.
/// </summary>
internal sealed class SurveyLinks
{
    public const int MaxActivityIdBytes = 100;

    private const byte Version = 1;
    private const int FixedBytes = 1 + 16 + 16 + 16 + 8;
    private const int MaxPayloadBytes = FixedBytes + MaxActivityIdBytes;
    private const int MacBytes = 16;
    private static readonly int MacChars = Base64Url.GetEncodedLength(MacBytes);

    private readonly Lazy<byte[]> _key;
    private readonly IOptions<ConsentOptions> _options;

    public SurveyLinks(IOptions<ConsentOptions> options, LinkSigningKey key)
    {
        _options = options;
        _key = new Lazy<byte[]>(() => key.DeriveFor("survey/v1"));
    }

    public string CreateUrl(SurveyTicket ticket) => $"{_options.Value.PublicBaseUrl.TrimEnd('/')}/s/{CreateToken(ticket)}";

    public string CreateToken(SurveyTicket ticket)
    {
        var activity = Encoding.UTF8.GetBytes(ticket.ActivityId);
        if (activity.Length is 0 or > MaxActivityIdBytes)
        {
            throw new ArgumentException($"A survey step's activity id is 1–{MaxActivityIdBytes} UTF-8 bytes.", nameof(ticket));
        }

        var payload = new byte[FixedBytes + activity.Length];
        payload[0] = Version;
        ticket.InstanceId.TryWriteBytes(payload.AsSpan(1, 16), bigEndian: true, out _);
        ticket.CaseId.TryWriteBytes(payload.AsSpan(17, 16), bigEndian: true, out _);
        ticket.CustomerId.TryWriteBytes(payload.AsSpan(33, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(49, 8), ticket.ExpiresAt.ToUnixTimeSeconds());
        activity.CopyTo(payload, FixedBytes);
        Span<byte> mac = stackalloc byte[MacBytes];
        Sign(payload, mac);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// Reads a token: true with its ticket when genuine and unexpired at <paramref name="now"/>; otherwise false with
    /// <see cref="UnsubscribeLinks.Invalid"/> or <see cref="UnsubscribeLinks.Expired"/> (the latter only for a genuine
    /// token). The signature is checked first, in constant time.
    /// </summary>
    public bool TryRead(string? token, DateTimeOffset now, out SurveyTicket? ticket, out string? failure)
    {
        (ticket, failure) = (null, UnsubscribeLinks.Invalid);
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot < 1 || token.Length - dot - 1 != MacChars || dot > Base64Url.GetEncodedLength(MaxPayloadBytes))
        {
            return false;
        }

        var payloadChars = token.AsSpan(0, dot);
        var payloadLength = Base64Url.GetMaxDecodedLength(payloadChars.Length);
        Span<byte> buffer = stackalloc byte[MaxPayloadBytes + 3];
        if (!Decode(payloadChars, buffer[..payloadLength], out var written) || written <= FixedBytes)
        {
            return false;
        }

        var payload = buffer[..written];
        Span<byte> given = stackalloc byte[MacBytes];
        if (!Decode(token.AsSpan(dot + 1), given, out var macWritten) || macWritten != MacBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Sign(payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, given) || payload[0] != Version)
        {
            return false;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.Slice(49, 8)));
        if (expiresAt <= now)
        {
            failure = UnsubscribeLinks.Expired;
            return false;
        }

        ticket = new SurveyTicket(
            new Guid(payload.Slice(1, 16), bigEndian: true),
            Encoding.UTF8.GetString(payload[FixedBytes..]),
            new Guid(payload.Slice(17, 16), bigEndian: true),
            new Guid(payload.Slice(33, 16), bigEndian: true),
            expiresAt);
        failure = null;
        return true;
    }

    /// <summary>Strict decoding: only the one canonical spelling of the bytes (see <see cref="UnsubscribeLinks"/>).</summary>
    private static bool Decode(ReadOnlySpan<char> text, Span<byte> into, out int written)
    {
        if (Base64Url.DecodeFromChars(text, into, out var consumed, out written) != OperationStatus.Done || consumed != text.Length)
        {
            return false;
        }

        return text.SequenceEqual(Base64Url.EncodeToString(into[..written]));
    }

    private void Sign(ReadOnlySpan<byte> payload, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key.Value, payload, full);
        full[..MacBytes].CopyTo(mac);
    }
}
