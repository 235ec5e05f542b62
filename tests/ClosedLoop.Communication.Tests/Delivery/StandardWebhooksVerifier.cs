using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ClosedLoop.Communication.Tests.Delivery;

/// <summary>
/// A receiver's check of a Standard Webhooks signature, written from the specification and sharing no code with the
/// product: base64-decode the secret after <c>whsec_</c>, HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>, and compare
/// in constant time with each space-separated <c>v1,</c> signature of the header; the timestamp must be recent.
/// </summary>
internal static class StandardWebhooksVerifier
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static bool Verify(string secret, string id, string timestamp, string signatureHeader, string body, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new HMACSHA256(key);
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(id + "." + timestamp + "." + body));
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = candidate.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1"
                && CryptographicOperations.FixedTimeEquals(expected, Convert.FromBase64String(parts[1])))
            {
                return true;
            }
        }

        return false;
    }
}
