using ClosedLoop.Api.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Api.Security;

/// <summary>Who an API key belongs to.</summary>
internal sealed record ApiCaller(string Id, string Name, string Role);

/// <summary>
/// Resolves a presented key to its caller: development keys (Development only) from configuration,
/// all others by hash from the database, each answer cached briefly.
/// </summary>
internal sealed class ApiKeyValidator
{
    private readonly Dictionary<string, ApiCaller> _developmentKeys;
    private readonly IServiceScopeFactory _scopes;
    private readonly IMemoryCache _cache;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheDuration;

    public ApiKeyValidator(IServiceScopeFactory scopes, IMemoryCache cache, TimeProvider time, IOptions<AuthOptions> options, IHostEnvironment environment)
    {
        _scopes = scopes;
        _cache = cache;
        _time = time;
        _cacheDuration = options.Value.KeyCacheDuration;
        _developmentKeys = environment.IsDevelopment()
            ? options.Value.DevelopmentKeys.ToDictionary(
                k => ApiKeySecrets.Hash(k.Key),
                k => new ApiCaller($"dev:{k.Role}", string.IsNullOrWhiteSpace(k.Name) ? $"development {k.Role}" : k.Name, k.Role))
            : [];
    }

    public async Task<ApiCaller?> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        if (presented.Length is 0 or > 200)
        {
            return null;
        }

        var hash = ApiKeySecrets.Hash(presented);
        if (_developmentKeys.TryGetValue(hash, out var developer))
        {
            return developer;
        }

        if (_cache.TryGetValue<CachedCaller>(CacheKey(hash), out var cached) && cached is not null)
        {
            return cached.Caller;
        }

        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash, cancellationToken);
        var caller = key is not null && key.IsActive(_time.GetUtcNow()) ? new ApiCaller(key.Id.ToString(), key.Name, key.Role) : null;
        var lifetime = key?.ExpiresAt is { } expires && expires - _time.GetUtcNow() < _cacheDuration
            ? TimeSpan.FromTicks(Math.Max(1, (expires - _time.GetUtcNow()).Ticks))
            : _cacheDuration;
        _cache.Set(CacheKey(hash), new CachedCaller(caller), lifetime);
        return caller;
    }

    /// <summary>Forget a key at once in this process (other replicas within the cache duration).</summary>
    public void Invalidate(string hash) => _cache.Remove(CacheKey(hash));

    private static string CacheKey(string hash) => "api-key:" + hash;

    private sealed record CachedCaller(ApiCaller? Caller);
}
