using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ClosedLoop.Persistence;

/// <summary>Puts a module's tables in its own schema, or behind its own prefix where there are no schemas.</summary>
public static class ModuleNaming
{
    public const string SqliteProviderName = "Microsoft.EntityFrameworkCore.Sqlite";

    public static string HistoryTable(DatabaseProvider provider, string schema) =>
        provider == DatabaseProvider.Sqlite ? $"{schema}__migrations" : "__migrations";

    public static void Apply(ModelBuilder modelBuilder, string schema, string? providerName)
    {
        if (providerName != SqliteProviderName)
        {
            modelBuilder.HasDefaultSchema(schema);
            return;
        }

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.IsOwned() || entity.GetTableName() is not { } table || table.StartsWith(schema + "_", StringComparison.Ordinal))
            {
                continue;
            }

            entity.SetSchema(null);
            entity.SetTableName($"{schema}_{table}");
        }
    }

    /// <summary>
    /// SQLite stores DateTimeOffset as text, which neither orders nor compares; store UTC ticks instead
    /// (every value reads back in UTC).
    /// </summary>
    public static void ConfigureConventions(ModelConfigurationBuilder configurationBuilder, string? providerName)
    {
        if (providerName != SqliteProviderName)
        {
            return;
        }

        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
