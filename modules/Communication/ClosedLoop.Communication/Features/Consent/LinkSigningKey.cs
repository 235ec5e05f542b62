using System.Security.Cryptography;
using System.Text;
using ClosedLoop.Communication.Data;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>
/// The installation's key for the links it puts in messages: <see cref="ConsentOptions.SigningKey"/> when configured,
/// else 32 random bytes generated once and kept in the <c>settings</c> table. Replicas race to create it by inserting
/// only if absent and then reading back what won, so they all sign with the same key. Each use derives its own
/// sub-key (HKDF with a purpose), so a token minted for one kind of link never verifies as another.
/// </summary>
/// <remarks>
/// Loaded on first use and kept for the process's life. The load is synchronous because link creation runs inside
/// message composition, which wants a plain call; it happens once per process and takes one or two statements. A
/// failed load (database down) is not remembered: the next use tries again.
/// </remarks>
internal sealed class LinkSigningKey(IOptions<ConsentOptions> options, IServiceScopeFactory scopes)
{
    /// <summary>The <c>settings</c> row that holds the generated key.</summary>
    public const string SettingKey = "links.signing-key";

    private const int GeneratedKeyBytes = 32;

    private readonly Lock _gate = new();
    private byte[]? _key;

    /// <summary>A 32-byte key for <paramref name="purpose"/> (e.g. <c>unsubscribe/v1</c>), derived from the installation key.</summary>
    public byte[] DeriveFor(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Root(), 32, salt: [], info: Encoding.UTF8.GetBytes("closedloop/links/" + purpose));

    /// <summary>
    /// Loads (or creates) the key now. Call it before opening a transaction that will make links: on SQLite, the
    /// first load's insert could not get the write lock that transaction holds.
    /// </summary>
    public void EnsureLoaded() => Root();

    private byte[] Root()
    {
        if (Volatile.Read(ref _key) is { } key)
        {
            return key;
        }

        lock (_gate)
        {
            if (_key is null)
            {
                Volatile.Write(ref _key, options.Value.ConfiguredKey() ?? LoadOrCreateStored());
            }

            return _key;
        }
    }

    private byte[] LoadOrCreateStored()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunicationDbContext>();
        if (Read(db) is { } existing)
        {
            return existing;
        }

        db.Settings.Add(new SettingRecord { Key = SettingKey, Value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedKeyBytes)) });
        try
        {
            db.SaveChanges();
        }
        catch (DbUpdateException e) when (DbErrors.IsWriteConflict(e))
        {
            // Another replica inserted it first: its key is the installation's.
            db.ChangeTracker.Clear();
        }

        return Read(db) ?? throw new InvalidOperationException($"The link-signing key '{SettingKey}' was neither found nor created.");
    }

    private static byte[]? Read(CommunicationDbContext db) =>
        db.Settings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).FirstOrDefault() is { } value
            ? Convert.FromBase64String(value)
            : null;
}
