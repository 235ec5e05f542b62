using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#pragma warning disable EF1001 // MigrationsAssembly is pubternal; subclassing it is the smallest way to filter by provider.
namespace ClosedLoop.Persistence;

/// <summary>
/// One DbContext per module, one migration set per provider in the same assembly
/// (<c>Data/Migrations/{Sqlite,PostgreSql,SqlServer}</c>): EF sees only the active provider's set.
/// See docs/decisions/0004-migrations-per-provider.md.
/// </summary>
internal sealed class ProviderMigrationsAssembly : Microsoft.EntityFrameworkCore.Migrations.Internal.MigrationsAssembly
{
    private readonly Type _contextType;
    private readonly string _namespaceSuffix;
    private IReadOnlyDictionary<string, TypeInfo>? _migrations;
    private ModelSnapshot? _snapshot;
    private bool _snapshotResolved;

    public ProviderMigrationsAssembly(
        ICurrentDbContext currentContext,
        IDbContextOptions options,
        IMigrationsIdGenerator idGenerator,
        IDiagnosticsLogger<DbLoggerCategory.Migrations> logger)
        : base(currentContext, options, idGenerator, logger)
    {
        _contextType = currentContext.Context.GetType();
        _namespaceSuffix = ".Migrations." + FolderFor(currentContext.Context.Database.ProviderName);
    }

    public static string FolderFor(string? providerName) => providerName switch
    {
        ModuleNaming.SqliteProviderName => nameof(DatabaseProvider.Sqlite),
        "Npgsql.EntityFrameworkCore.PostgreSQL" => nameof(DatabaseProvider.PostgreSql),
        "Microsoft.EntityFrameworkCore.SqlServer" => nameof(DatabaseProvider.SqlServer),
        _ => throw new NotSupportedException($"Database provider '{providerName}' is not supported."),
    };

    public override IReadOnlyDictionary<string, TypeInfo> Migrations => _migrations ??= base.Migrations
        .Where(m => InProviderNamespace(m.Value))
        .ToDictionary(m => m.Key, m => m.Value);

    public override ModelSnapshot? ModelSnapshot
    {
        get
        {
            if (!_snapshotResolved)
            {
                var type = Assembly.DefinedTypes
                    .FirstOrDefault(t => !t.IsAbstract && t.IsSubclassOf(typeof(ModelSnapshot))
                        && InProviderNamespace(t)
                        && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == _contextType);
                _snapshot = type is null ? null : (ModelSnapshot)Activator.CreateInstance(type.AsType())!;
                _snapshotResolved = true;
            }

            return _snapshot;
        }
    }

    private bool InProviderNamespace(TypeInfo type) => type.Namespace?.EndsWith(_namespaceSuffix, StringComparison.Ordinal) == true;
}
