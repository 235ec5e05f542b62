using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>
/// The envelope of every signed link in customers' emails (unsubscribe, survey): <c>base64url(payload) "." base64url(mac)</c>,
/// where the MAC is HMAC-SHA256 over the payload with the installation's link key derived for one purpose (so a token
/// of one kind never verifies as another), cut to 16 bytes: far beyond guessing, and it keeps links short. No table
/// of issued links: the payload carries everything its endpoint needs.
/// </summary>
internal sealed class LinkSeal(LinkSigningKey key, string purpose)
{
    public const int MacBytes = 16;
    private static readonly int MacChars = Base64Url.GetEncodedLength(MacBytes);
    private readonly Lazy<byte[]> _key = new(() => key.DeriveFor(purpose));

    /// <summary>The token for <paramref name="payload"/>.</summary>
    public string Seal(ReadOnlySpan<byte> payload)
    {
        Span<byte> mac = stackalloc byte[MacBytes];
        Sign(payload, mac);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// Opens a token whose payload is <paramref name="minBytes"/>–<paramref name="maxBytes"/> long into
    /// <paramref name="into"/> (at least <paramref name="maxBytes"/> + 3 bytes): true only when it is spelt the one
    /// canonical way (the decoder itself accepts padding and stray trailing bits, which would let one token be written
    /// several ways) and its signature matches, checked in constant time, so a forged token never learns how close it came.
    /// </summary>
    public bool TryOpen(string? token, int minBytes, int maxBytes, Span<byte> into, out int length)
    {
        length = 0;
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot < 1 || token.Length - dot - 1 != MacChars || dot > Base64Url.GetEncodedLength(maxBytes))
        {
            return false;
        }

        var payloadChars = token.AsSpan(0, dot);
        if (!Decode(payloadChars, into[..Base64Url.GetMaxDecodedLength(payloadChars.Length)], out var written) || written < minBytes || written > maxBytes)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[MacBytes + 2];
        if (!Decode(token.AsSpan(dot + 1), given, out var macWritten) || macWritten != MacBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Sign(into[..written], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, given[..MacBytes]))
        {
            return false;
        }

        length = written;
        return true;
    }

    private static bool Decode(ReadOnlySpan<char> text, Span<byte> into, out int written) =>
        Base64Url.DecodeFromChars(text, into, out var consumed, out written) == OperationStatus.Done
        && consumed == text.Length
        && text.SequenceEqual(Base64Url.EncodeToString(into[..written]));

    private void Sign(ReadOnlySpan<byte> payload, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key.Value, payload, full);
        full[..MacBytes].CopyTo(mac);
    }
}
