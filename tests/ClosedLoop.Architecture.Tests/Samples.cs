using ClosedLoop.SharedKernel;

namespace ClosedLoop.Architecture.Tests;

/// <summary>
/// Contract-shaped types, good and bad, to show the contract rule bites: the real contracts may still be
/// empty, and a rule that passes over nothing must be seen to fail over something.
/// </summary>
internal static class Samples
{
    public enum Priority
    {
        Low,
        High,
    }

    public interface ICasesApi
    {
        Task<CaseSummary?> FindAsync(Guid id, CancellationToken cancellationToken);
    }

    public sealed record CaseSummary(Guid Id, string Title)
    {
        public IReadOnlyList<string> Tags { get; init; } = [];
    }

    public static class CaseRoutes
    {
        public const string Prefix = "/api/v1/cases";
        public static readonly string Detail = Prefix + "/{id}";
    }

    public sealed record CaseOpenedIntegrationEvent(Guid CaseId) : IntegrationEvent;

    public sealed record MutableCase
    {
        public string Title { get; set; } = "";
    }

    public sealed class CaseEntity
    {
        public Guid Id { get; init; }
    }

    public sealed record CaseWithField
    {
#pragma warning disable CA1051 // The point of the sample: a public mutable field.
        public string Title = "";
#pragma warning restore CA1051
    }

    public record OpenCaseIntegrationEvent(Guid CaseId) : IntegrationEvent;

    public sealed record CaseClosed(Guid CaseId) : IntegrationEvent;

    public sealed record CasePage(Microsoft.EntityFrameworkCore.EntityState State);
}
