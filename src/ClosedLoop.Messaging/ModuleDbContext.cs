using System.Text.Json;
using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Messaging;

/// <summary>
/// The base of every module's DbContext: the module's tables in its own schema (or behind its prefix on
/// SQLite), plus its outbox and inbox. <see cref="Publish"/> writes an event in the same transaction as
/// the change it describes.
/// </summary>
public abstract class ModuleDbContext : DbContext
{
    /// <summary>Enums by name: a stored event must not change meaning when an enum gains a member.</summary>
    internal static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web)
    {
        // A payload is stored and read back by us, never embedded in HTML: escaping quotes as \u0022 and every
        // non-ASCII letter as \uXXXX only made it bigger (a routed item's explanation nearly doubled).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private protected ModuleDbContext(DbContextOptions options)
        : base(options)
    {
    }

    private IntegrationEventCatalog? _catalog;

    private IntegrationEventCatalog? Catalog => _catalog ??= this.GetService<IDbContextOptions>()
        .FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<IntegrationEventCatalog>();

    internal DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    internal DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    internal abstract string SchemaName { get; }

    /// <summary>
    /// Outbox rows that need a dispatch were written and not yet committed: the commit wakes the dispatcher
    /// (<see cref="OutboxCommitHook"/>). Kept on the context, not the hook, which is one per process.
    /// </summary>
    internal bool OutboxPending { get; set; }

    // Contexts are pooled and EF resets only its own state. A transaction disposed without commit or rollback raises
    // no interceptor event, so a pending mark would otherwise pass to the context's next use.
    public override void Dispose()
    {
        OutboxPending = false;
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        OutboxPending = false;
        return base.DisposeAsync();
    }

    /// <summary>Adds the event to this module's outbox; it is delivered once the surrounding save commits.</summary>
    public void Publish(IntegrationEvent integrationEvent) => OutboxMessages.Add(ToMessage(integrationEvent));

    /// <summary>
    /// Writes many events to this module's outbox now, inside the current transaction and without the
    /// change tracker (bulk ingest); they are delivered once that transaction commits.
    /// </summary>
    public Task PublishAllAsync(IReadOnlyCollection<IntegrationEvent> integrationEvents, CancellationToken cancellationToken) =>
        PublishAllAsync(PrepareOutbox(integrationEvents, inBackground: false), cancellationToken);

    /// <summary>
    /// Starts turning <paramref name="integrationEvents"/> into outbox rows (their JSON) on another thread, so a bulk
    /// writer can send its other rows meanwhile; <see cref="PublishAllAsync(PreparedOutbox, CancellationToken)"/> writes them.
    /// </summary>
    public PreparedOutbox PrepareOutbox(IReadOnlyCollection<IntegrationEvent> integrationEvents) => PrepareOutbox(integrationEvents, inBackground: true);

    /// <summary>Writes prepared events to this module's outbox now, inside the current transaction (see <see cref="PrepareOutbox(IReadOnlyCollection{IntegrationEvent})"/>).</summary>
    public async Task PublishAllAsync(PreparedOutbox prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var messages = await prepared.Messages.ConfigureAwait(false);
        await this.BulkInsertAsync(messages, cancellationToken);
        if (messages.Exists(m => m.ProcessedAt is null))
        {
            // Settled rows need no dispatch: waking the dispatcher for them would only run empty claims.
            OutboxPending = true;
        }
    }

    private PreparedOutbox PrepareOutbox(IReadOnlyCollection<IntegrationEvent> integrationEvents, bool inBackground)
    {
        ArgumentNullException.ThrowIfNull(integrationEvents);

        // The catalog is read here, on the context's own thread; the serialization touches nothing of the context.
        var catalog = Catalog;
        List<OutboxMessage> Serialize() => integrationEvents.Select(e => ToMessage(e, catalog)).ToList();
        return new PreparedOutbox(inBackground ? Task.Run(Serialize) : Task.FromResult(Serialize()));
    }

    private OutboxMessage ToMessage(IntegrationEvent integrationEvent) => ToMessage(integrationEvent, Catalog);

    private static OutboxMessage ToMessage(IntegrationEvent integrationEvent, IntegrationEventCatalog? catalog)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        var type = integrationEvent.GetType();
        if (catalog is not null && !catalog.Knows(type))
        {
            throw new InvalidOperationException($"{type.Name} is not declared; register it with services.AddIntegrationEvent<{type.Name}>() in its module.");
        }

        // Stored in UTC: PostgreSQL accepts only offset 0, and SQLite's converter orders by local ticks.
        // Due now at the latest, so an event stamped in the future is not held back until then.
        var occurredAt = integrationEvent.OccurredAt.ToUniversalTime();
        var now = DateTimeOffset.UtcNow;

        // Kept as the record of what happened, but settled as written when no module handles the type:
        // the dispatcher would only settle it at its claim (one more write per event, for nothing).
        var settled = catalog is not null && !catalog.IsHandled(type);
        return new OutboxMessage
        {
            Id = integrationEvent.Id,
            Type = IntegrationEventTypes.NameOf(type),
            Payload = JsonSerializer.Serialize(integrationEvent, type, SerializerOptions),
            OccurredAt = occurredAt,
            NextAttemptAt = occurredAt < now ? occurredAt : now,
            ProcessedAt = settled ? now : null,
            LockedUntil = settled ? OutboxMessage.Settled : null,
        };
    }

    /// <summary>The module's own model; the base adds the outbox, the inbox and the naming.</summary>
    protected abstract void ConfigureModel(ModelBuilder modelBuilder);

    protected sealed override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureModel(modelBuilder);
        MessagingModel.Configure(modelBuilder, Database.ProviderName);
        ModuleNaming.Apply(modelBuilder, SchemaName, Database.ProviderName);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ModuleNaming.ConfigureConventions(configurationBuilder, Database.ProviderName);
    }
}

/// <summary>Integration events on their way to becoming outbox rows (see <see cref="ModuleDbContext.PrepareOutbox(IReadOnlyCollection{IntegrationEvent})"/>).</summary>
public sealed class PreparedOutbox
{
    internal PreparedOutbox(Task<List<OutboxMessage>> messages) => Messages = messages;

    internal Task<List<OutboxMessage>> Messages { get; }
}

/// <summary>
/// A module's DbContext derives from this with itself as <typeparamref name="TSelf"/>, so the schema is
/// named once, in <see cref="IModuleDbContext.Schema"/>.
/// </summary>
public abstract class ModuleDbContext<TSelf>(DbContextOptions<TSelf> options) : ModuleDbContext(options)
    where TSelf : ModuleDbContext<TSelf>, IModuleDbContext
{
    internal sealed override string SchemaName => TSelf.Schema;
}
