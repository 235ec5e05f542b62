using ClosedLoop.Web;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClosedLoop.Persistence;
using ClosedLoop.Rules.Store.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Rules.Store;

/// <summary>What a save asks for: a text to publish as the next version of a set.</summary>
/// <param name="Name">The rule set.</param>
/// <param name="Json">The Workflow JSON, exactly as submitted.</param>
/// <param name="Order">Its evaluation order; null keeps the set's order (a new set goes after the others).</param>
/// <param name="Comment">Why, for the version history.</param>
/// <param name="Author">Who.</param>
/// <param name="Origin">How the version comes about.</param>
/// <param name="RolledBackFrom">For a rollback: the version republished.</param>
/// <param name="Input">For a new set: the input it belongs to (null: the only one registered).</param>
/// <param name="Precondition">The caller's If-Match / If-None-Match.</param>
internal sealed record PublishRequest(
    string Name,
    string Json,
    int? Order,
    string? Comment,
    string Author,
    RuleSetOrigin Origin,
    int? RolledBackFrom,
    string? Input,
    VersionPrecondition Precondition);

internal enum PublishStatus
{
    /// <summary>A new set, published as version 1.</summary>
    Created,

    /// <summary>A new version of an existing set, published.</summary>
    Published,

    /// <summary>Same text and order as the published version: nothing written.</summary>
    Unchanged,

    /// <summary>The precondition failed against the published version (or the set's absence).</summary>
    PreconditionFailed,

    /// <summary>The engine rejected the text; nothing written.</summary>
    Invalid,

    /// <summary>The input could not be determined (unknown, ambiguous, or a change of input).</summary>
    InputProblem,

    /// <summary>Other saves kept changing the set or its input's catalog; nothing written.</summary>
    Contended,
}

/// <summary>The result of a save, with what is published afterwards.</summary>
internal sealed record PublishOutcome(
    PublishStatus Status,
    RuleSetRecord? Set = null,
    RuleSetVersionRecord? Version = null,
    RuleSetValidation? Validation = null,
    string? Problem = null);

/// <summary>
/// Publishes rule-set versions. Validation by the engine comes first and outside any transaction (it compiles and
/// dry-runs; seconds at worst); the write is then one short transaction: the new immutable version, the set's
/// published pointer, and the input's catalog sequence. The catalog is bumped only if it still has the
/// sequence the validation was made against, so a set is never published after being checked against a catalog
/// that has since changed (a set it injects, say); the save then starts over and validates again.
/// </summary>
internal sealed class RuleSetPublisher(RulesDbContext db, RuleInputs inputs, TimeProvider time, ILogger<RuleSetPublisher> logger)
{
    public const int MaxOrder = 999_999;
    private const int Attempts = 6;

    public async Task<PublishOutcome> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        // A failure rolls the whole attempt back and it starts over; EF's savepoints would only add round trips.
        db.Database.AutoSavepointsEnabled = false;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            db.ChangeTracker.Clear();
            var current = await db.RuleSets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == request.Name, cancellationToken);
            if (!request.Precondition.HoldsFor(current?.PublishedVersion))
            {
                return new PublishOutcome(PublishStatus.PreconditionFailed, current);
            }

            var input = InputFor(current, request.Input, out var inputProblem);
            if (input is null)
            {
                return new PublishOutcome(PublishStatus.InputProblem, current, Problem: inputProblem);
            }

            var order = request.Order ?? current?.Order ?? await DefaultOrderAsync(input.Name, cancellationToken);
            if (current is not null)
            {
                var published = await db.Versions.AsNoTracking().FirstAsync(v => v.Name == current.Name && v.Version == current.PublishedVersion, cancellationToken);
                if (published.Order == order && string.Equals(published.Json, request.Json, StringComparison.Ordinal))
                {
                    return new PublishOutcome(PublishStatus.Unchanged, current, published);
                }
            }

            var number = (current?.LatestVersion ?? 0) + 1;
            var (validation, stamp) = await input.ValidateAsync(new RuleSetDefinition(request.Name, number, order, request.Json), cancellationToken);
            if (!validation.IsValid)
            {
                return new PublishOutcome(PublishStatus.Invalid, current, Validation: validation);
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                var written = await WriteAsync(request, current, input.Name, number, order, stamp, cancellationToken);
                if (written is null)
                {
                    // The set or the catalog moved since we read or validated; look again.
                    await transaction.RollbackAsync(CancellationToken.None);
                    continue;
                }

                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation(
                    "Rule set {Name} v{Version} published ({Origin} by {Author}, order {Order})", request.Name, number, request.Origin, request.Author, order);
                await RefreshQuietlyAsync(input);
                return new PublishOutcome(current is null ? PublishStatus.Created : PublishStatus.Published, written.Value.Set, written.Value.Version, validation);
            }
            catch (Exception ex) when (attempt < Attempts && DbErrors.IsWriteConflict(ex))
            {
                // Another save took the version number, the set's revision or the catalog's sequence first.
                await transaction.RollbackAsync(CancellationToken.None);
                await Task.Delay(Random.Shared.Next(5, 25 * attempt), cancellationToken);
            }
        }

        return new PublishOutcome(PublishStatus.Contended, Problem: $"Rule set '{request.Name}' kept changing while this save was checked; try again.");
    }

    public static string Sha256Of(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    /// <summary>Rules in the text, nested ones included (injected ones not: they belong to their own set).</summary>
    public static int CountRules(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Count(document.RootElement);
        }
        catch (JsonException)
        {
            return 0;
        }

        static int Count(JsonElement element) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty("Rules", out var rules) && rules.ValueKind == JsonValueKind.Array
                ? rules.EnumerateArray().Sum(r => 1 + Count(r))
                : 0;
    }

    private IRuleInput? InputFor(RuleSetRecord? current, string? requested, out string? problem)
    {
        if (current is null)
        {
            return inputs.Choose(requested, out problem);
        }

        problem = null;
        if (!string.IsNullOrWhiteSpace(requested) && requested.Trim() != current.Input)
        {
            problem = $"Rule set '{current.Name}' belongs to input '{current.Input}'; a set's input cannot change.";
            return null;
        }

        var input = inputs.Find(current.Input);
        problem = input is null ? $"Rule set '{current.Name}' belongs to input '{current.Input}', which this host does not register." : null;
        return input;
    }

    /// <summary>Where a new set goes when no order is given: after every set of its input.</summary>
    public async Task<int> DefaultOrderAsync(string input, CancellationToken cancellationToken)
    {
        var last = await db.RuleSets.AsNoTracking().Where(s => s.Input == input).MaxAsync(s => (int?)s.Order, cancellationToken);
        return Math.Min((last ?? 0) + 100, MaxOrder);
    }

    private async Task<(RuleSetRecord Set, RuleSetVersionRecord Version)?> WriteAsync(
        PublishRequest request, RuleSetRecord? read, string input, int number, int order, string? stamp, CancellationToken cancellationToken)
    {
        var set = await db.RuleSets.FirstOrDefaultAsync(s => s.Name == request.Name, cancellationToken);
        if (set?.Revision != read?.Revision)
        {
            return null;
        }

        // PostgreSQL keeps microseconds: the answer to this save must show what a later read will.
        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % 10));
        var ruleCount = CountRules(request.Json);
        var version = new RuleSetVersionRecord
        {
            Name = request.Name,
            Version = number,
            Json = request.Json,
            Order = order,
            RuleCount = ruleCount,
            Author = Truncate(request.Author, RulesDbContext.MaxActorLength),
            CreatedAt = now,
            Comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim(),
            Origin = request.Origin,
            RolledBackFrom = request.RolledBackFrom,
            Sha256 = Sha256Of(request.Json),
        };
        db.Versions.Add(version);
        if (set is null)
        {
            set = new RuleSetRecord { Name = request.Name, Input = input, UpdatedBy = version.Author };
            db.RuleSets.Add(set);
        }

        set.Order = order;
        set.PublishedVersion = number;
        set.LatestVersion = number;
        set.RuleCount = ruleCount;
        set.UpdatedAt = now;
        set.UpdatedBy = version.Author;
        set.Revision++;
        await db.SaveChangesAsync(cancellationToken);
        return await BumpCatalogAsync(input, stamp, now, cancellationToken) ? (set, version) : null;
    }

    /// <summary>Moves the input's sequence on, only from the one the validation saw (row created by the first publication).</summary>
    private async Task<bool> BumpCatalogAsync(string input, string? stamp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long? expected = long.TryParse(stamp, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        var catalog = db.Catalogs.Where(c => c.Input == input);
        if (expected is not null)
        {
            catalog = catalog.Where(c => c.Sequence == expected);
        }

        var bumped = await catalog.ExecuteUpdateAsync(u => u.SetProperty(c => c.Sequence, c => c.Sequence + 1).SetProperty(c => c.UpdatedAt, now), cancellationToken);
        if (bumped == 1)
        {
            return true;
        }

        if (expected is not (null or 0) || await db.Catalogs.AnyAsync(c => c.Input == input, cancellationToken))
        {
            return false;
        }

        // The input's first publication. A concurrent first one collides on the key and is retried.
        db.Catalogs.Add(new RuleCatalogRecord { Input = input, Sequence = 1, UpdatedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private async Task RefreshQuietlyAsync(IRuleInput input)
    {
        // Published is published: this process routes with it at once; others pick it up by stamp. A failure
        // here only delays that until the next refresh.
        try
        {
            await input.RefreshAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Refreshing the {Input} rules after a publication failed; the next refresh will load it", input.Name);
        }
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
