using System.Security.Cryptography;
using System.Text;

namespace ClosedLoop.Api.Security;

/// <summary>
/// Keys are 256 random bits, so one SHA-256 pass is the right hash: nothing to brute-force, and a
/// lookup by hash stays an index seek. See docs/decisions/0006-api-keys.md.
/// </summary>
internal static class ApiKeySecrets
{
    public const string Prefix = "cl_";

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>What a person sees of a key after creation: enough to recognise it, not to use it.</summary>
    public static string DisplayPrefix(string secret) => secret.Length <= 11 ? secret : secret[..11];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
