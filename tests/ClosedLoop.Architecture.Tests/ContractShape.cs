using System.Reflection;
using System.Runtime.CompilerServices;
using ClosedLoop.SharedKernel;

namespace ClosedLoop.Architecture.Tests;

/// <summary>
/// What a public contract type may be: a record with init-only state, an enum, an interface, a static
/// class of constants, or an integration event (a sealed record named <c>*IntegrationEvent</c>); and it
/// never shows EF or ASP.NET types to the modules that use it.
/// </summary>
internal static class ContractShape
{
    private const BindingFlags PublicMembers = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static;
    private static readonly string[] ForbiddenNamespaces = ["Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore"];

    public static bool IsIntegrationEvent(Type type) => type.IsAssignableTo(typeof(IntegrationEvent));

    public static bool IsNamedLikeAnEvent(Type type) => type.Name.EndsWith(nameof(IntegrationEvent), StringComparison.Ordinal);

    public static IReadOnlyList<string> Violations(Type type)
    {
        var found = new List<string>();
        if (IsIntegrationEvent(type) || IsNamedLikeAnEvent(type))
        {
            found.AddRange(EventViolations(type));
        }

        if (!type.IsEnum && !type.IsInterface && !IsRecord(type) && !IsStatic(type))
        {
            found.Add($"{type.FullName} is not a record (nor an enum, an interface or a static class of constants).");
        }

        if (!type.IsEnum && !type.IsInterface)
        {
            found.AddRange(type.GetProperties(PublicMembers)
                .Where(p => p.SetMethod is { IsPublic: true } setter && !IsInitOnly(setter))
                .Select(p => $"{type.FullName}.{p.Name} is settable; contracts carry immutable data (use init)."));
            found.AddRange(type.GetFields(PublicMembers)
                .Where(f => !f.IsInitOnly && !f.IsLiteral)
                .Select(f => $"{type.FullName}.{f.Name} is a mutable field."));
        }

        found.AddRange(ExposedTypes(type)
            .Where(e => ForbiddenNamespaces.Any(ns => e.Type.Namespace?.StartsWith(ns, StringComparison.Ordinal) == true))
            .Select(e => $"{type.FullName}.{e.Member} exposes {e.Type.FullName} ({e.Type.Namespace}); contracts carry no EF and no ASP.NET types.")
            .Distinct(StringComparer.Ordinal));
        return found;
    }

    public static IEnumerable<string> EventViolations(Type type)
    {
        if (!IsIntegrationEvent(type))
        {
            yield return $"{type.FullName} is named like an integration event but does not derive from {typeof(IntegrationEvent).FullName}.";
            yield break;
        }

        if (!type.IsSealed)
        {
            yield return $"{type.FullName} is an integration event and must be sealed: an event's shape never changes, add a new one.";
        }

        if (!IsRecord(type))
        {
            yield return $"{type.FullName} is an integration event and must be a record.";
        }

        if (!IsNamedLikeAnEvent(type))
        {
            yield return $"{type.FullName} is an integration event and must be named <Subject><PastTense>IntegrationEvent.";
        }
    }

    /// <summary>Records are classes with a compiler-made clone method, or structs with compiler-made PrintMembers.</summary>
    private static bool IsRecord(Type type) =>
        type.IsClass
            ? type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null
            : type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is { } print
                && print.IsDefined(typeof(CompilerGeneratedAttribute));

    private static bool IsStatic(Type type) => type.IsClass && type.IsAbstract && type.IsSealed;

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    private static IEnumerable<(string Member, Type Type)> ExposedTypes(Type type)
    {
        foreach (var member in type.GetMembers(PublicMembers))
        {
            Type[] types = member switch
            {
                PropertyInfo p => [p.PropertyType],
                FieldInfo f => [f.FieldType],
                MethodInfo m => [m.ReturnType, .. m.GetParameters().Select(p => p.ParameterType)],
                ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType).ToArray(),
                _ => Array.Empty<Type>(),
            };
            foreach (var exposed in types.SelectMany(Unwrap))
            {
                yield return (member.Name, exposed);
            }
        }
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            return Unwrap(type.GetElementType()!);
        }

        return type.IsGenericType ? [type, .. type.GetGenericArguments().SelectMany(Unwrap)] : [type];
    }
}
