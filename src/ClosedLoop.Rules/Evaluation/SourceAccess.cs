using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// Reaches the <see cref="IRuleSetSource"/> from the singleton engine. The store's source is typically scoped
/// (it uses a DbContext), so each use gets its own scope instead of the engine capturing one instance.
/// </summary>
internal sealed class SourceAccess
{
    private readonly IRuleSetSource? _source;
    private readonly IServiceScopeFactory? _scopes;

    private SourceAccess(IRuleSetSource? source, IServiceScopeFactory? scopes)
    {
        _source = source;
        _scopes = scopes;
    }

    public static SourceAccess? Of(IRuleSetSource? source) => source is null ? null : new SourceAccess(source, null);

    public static SourceAccess? Of(IServiceProvider services) =>
        services.GetService<IServiceProviderIsService>()?.IsService(typeof(IRuleSetSource)) == true
            ? new SourceAccess(null, services.GetRequiredService<IServiceScopeFactory>())
            : null;

    public async ValueTask<T> UseAsync<T>(Func<IRuleSetSource, ValueTask<T>> use)
    {
        if (_source is not null)
        {
            return await use(_source).ConfigureAwait(false);
        }

        await using var scope = _scopes!.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<IRuleSetSource>()).ConfigureAwait(false);
    }
}
