using System.Buffers.Binary;
using System.Text;
using ClosedLoop.Communication.Features.Consent;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Surveys;

/// <summary>What a survey link is for: one SendSurvey step of one loop instance, for one case and its customer.</summary>
internal sealed record SurveyTicket(Guid InstanceId, string ActivityId, Guid CaseId, Guid CustomerId, DateTimeOffset ExpiresAt);

/// <summary>
/// Signed, expiring survey links: <c>{PublicBaseUrl}/s/{token}</c>, sealed by <see cref="LinkSeal"/> with the purpose
/// <c>survey/v1</c> (never the unsubscribe purpose, so one kind of token never verifies as the other). The payload is
/// a version byte, the instance id, the case id and the customer id (16 bytes each, big-endian), the expiry (Unix
/// seconds, 8 bytes, big-endian) and the activity id (UTF-8, 1–<see cref="MaxActivityIdBytes"/> bytes, to the end).
/// </summary>
internal sealed class SurveyLinks
{
    public const int MaxActivityIdBytes = 100;

    private const byte Version = 1;
    private const int FixedBytes = 1 + 16 + 16 + 16 + 8;
    private const int MaxPayloadBytes = FixedBytes + MaxActivityIdBytes;

    private readonly LinkSeal _seal;
    private readonly IOptions<ConsentOptions> _options;

    public SurveyLinks(IOptions<ConsentOptions> options, LinkSigningKey key)
    {
        _options = options;
        _seal = new LinkSeal(key, "survey/v1");
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
        return _seal.Seal(payload);
    }

    /// <summary>
    /// Reads a token: true with its ticket when genuine and unexpired at <paramref name="now"/>; otherwise false with
    /// <see cref="UnsubscribeLinks.Invalid"/> or <see cref="UnsubscribeLinks.Expired"/> (the latter only for a genuine token).
    /// </summary>
    public bool TryRead(string? token, DateTimeOffset now, out SurveyTicket? ticket, out string? failure)
    {
        (ticket, failure) = (null, UnsubscribeLinks.Invalid);
        Span<byte> buffer = stackalloc byte[MaxPayloadBytes + 3];
        if (!_seal.TryOpen(token, FixedBytes + 1, MaxPayloadBytes, buffer, out var length) || buffer[0] != Version)
        {
            return false;
        }

        var payload = buffer[..length];
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
}
