using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;

namespace ClosedLoop.Persistence;

/// <summary>An entity type's table as the EF model maps it, for the bulk writers; built once per model and type.</summary>
internal sealed record BulkTable(string Name, string? Schema, IReadOnlyList<BulkColumn> Columns)
{
    public const string OriginalTokenColumn = "__original_token";

    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, BulkTable>> Cache = new();

    public string QualifiedName => Schema is null ? Quote(Name) : $"{Quote(Schema)}.{Quote(Name)}";

    public BulkColumn? ConcurrencyToken => Columns.SingleOrDefault(c => c.IsConcurrencyToken);

    public static BulkTable Of(IModel model, Type type) => Cache.GetOrCreateValue(model).GetOrAdd(type, t => Build(model, t));

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public string InsertSql() =>
        $"INSERT INTO {QualifiedName} ({string.Join(", ", Columns.Select(c => Quote(c.Name)))}) VALUES ({string.Join(", ", Columns.Select((_, i) => "$p" + i))})";

    /// <summary>Parameters: every column in order, then the original concurrency token.</summary>
    public string UpdateSql()
    {
        var indexed = Columns.Select((c, i) => (Column: c, Parameter: "$p" + i)).ToList();
        var set = indexed.Where(x => !x.Column.IsKey).Select(x => $"{Quote(x.Column.Name)} = {x.Parameter}");
        var where = indexed.Where(x => x.Column.IsKey).Select(x => $"{Quote(x.Column.Name)} = {x.Parameter}")
            .Append($"{Quote(ConcurrencyToken!.Name)} = $p{Columns.Count}");
        return $"UPDATE {QualifiedName} SET {string.Join(", ", set)} WHERE {string.Join(" AND ", where)}";
    }

    private static BulkTable Build(IModel model, Type type)
    {
        var entity = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not mapped in this context.");
        var name = entity.GetTableName() ?? throw new InvalidOperationException($"{type.Name} is not mapped to a table.");
        var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
        var key = entity.FindPrimaryKey()?.Properties ?? throw new InvalidOperationException($"{type.Name} has no primary key.");
        var columns = entity.GetProperties().Select(p => BulkColumn.For(p, store, key.Contains(p))).ToList();
        return new BulkTable(name, entity.GetSchema(), columns);
    }
}

/// <summary>One mapped column: reads the provider value from an entity and writes it to COPY with its exact type.</summary>
internal sealed class BulkColumn
{
    private static readonly MethodInfo CopyTypedMethod = typeof(BulkColumn).GetMethod(nameof(CopyTyped), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ArrayOfMethod = typeof(BulkColumn).GetMethod(nameof(ArrayOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly IClrPropertyGetter _getter;
    private readonly ValueConverter? _converter;
    private readonly Func<NpgsqlBinaryImporter, object, string, CancellationToken, Task> _copy;
    private readonly Func<IEnumerable<object?>, Array> _array;

    private BulkColumn(IProperty property, string name, string columnType, bool isKey)
    {
        Property = property;
        Name = name;
        IsKey = isKey;
        IsConcurrencyToken = property.IsConcurrencyToken;
        _getter = property.GetGetter();
        Mapping = (RelationalTypeMapping)property.GetTypeMapping();
        _converter = Mapping.Converter;
        var providerType = _converter?.ProviderClrType ?? property.ClrType;
        providerType = Nullable.GetUnderlyingType(providerType) ?? providerType;
        _copy = CopyTypedMethod.MakeGenericMethod(providerType).CreateDelegate<Func<NpgsqlBinaryImporter, object, string, CancellationToken, Task>>();

        // Value types as Nullable<T>[], so a NULL travels as an element of the array.
        var elementType = providerType.IsValueType ? typeof(Nullable<>).MakeGenericType(providerType) : providerType;
        _array = ArrayOfMethod.MakeGenericMethod(elementType).CreateDelegate<Func<IEnumerable<object?>, Array>>();

        // COPY wants the type's name without facets: "character varying", not "character varying(100)".
        var facets = columnType.IndexOf('(', StringComparison.Ordinal);
        PostgresType = facets < 0 ? columnType : columnType[..facets].TrimEnd() + columnType[(columnType.IndexOf(')', facets) + 1)..];
    }

    public IProperty Property { get; }

    public string Name { get; }

    public string PostgresType { get; }

    public bool IsKey { get; }

    public bool IsConcurrencyToken { get; }

    public static BulkColumn For(IProperty property, StoreObjectIdentifier store, bool isKey) =>
        new(
            property,
            property.GetColumnName(store) ?? throw new InvalidOperationException($"{property.DeclaringType.DisplayName()}.{property.Name} has no column."),
            property.GetColumnType(store),
            isKey);

    public object? Read(object row) => ToProvider(ReadModel(row));

    /// <summary>The entity's value before conversion (what <see cref="Mapping"/> expects).</summary>
    public object? ReadModel(object row) => _getter.GetClrValueUsingContainingEntity(row);

    public RelationalTypeMapping Mapping { get; }

    public object? ToProvider(object? value) => value is null || _converter is null ? value : _converter.ConvertToProvider(value);

    public Task CopyAsync(NpgsqlBinaryImporter importer, object? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : _copy(importer, value, PostgresType, cancellationToken);

    /// <summary>The provider values as one typed PostgreSQL array parameter (<c>unnest</c> turns it back into rows).</summary>
    public NpgsqlParameter ArrayParameter(IEnumerable<object?> providerValues) =>
        new() { Value = _array(providerValues), DataTypeName = PostgresType + "[]" };

    private static Array ArrayOf<TElement>(IEnumerable<object?> values) => values.Select(v => (TElement)v!).ToArray();

    /// <summary>Typed, so Npgsql resolves the column's converter once instead of per value.</summary>
    private static Task CopyTyped<TValue>(NpgsqlBinaryImporter importer, object value, string dataTypeName, CancellationToken cancellationToken) =>
        importer.WriteAsync((TValue)value, dataTypeName, cancellationToken);
}
