using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClosedLoop.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>The outbox dispatcher and its background sweep.</summary>
    public static IServiceCollection AddClosedLoopMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MessagingOptions>()
            .Bind(configuration.GetSection(MessagingOptions.Section))
            .Validate(o => o.BatchSize is > 0 and <= 10_000, "Messaging:BatchSize must be between 1 and 10000.")
            .Validate(o => o.MaxAttempts > 0, "Messaging:MaxAttempts must be positive.")
            .Validate(o => o.SweepInterval > TimeSpan.Zero && o.Lease > TimeSpan.Zero, "Messaging:SweepInterval and Messaging:Lease must be positive.")
            .ValidateOnStart();
        services.AddSingleton<OutboxSignal>();
        services.AddCommitHook<OutboxCommitHook>();
        services.AddSingleton<IntegrationEventCatalog>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new OutboxDispatcher(
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetServices<Persistence.ModuleDbContextRegistration>(),
            sp.GetServices<HandlerRegistration>(),
            sp.GetRequiredService<IntegrationEventCatalog>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MessagingOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OutboxDispatcher>>()));
        services.AddHostedService<OutboxSweeper>();
        return services;
    }

    /// <summary>
    /// Declares an event this process's modules publish (events they handle are declared by
    /// <see cref="AddIntegrationEventHandler{TEvent, THandler, TContext}"/>). Publishing an undeclared event
    /// throws, so every replica can tell "nobody listens" from "written by a newer version".
    /// </summary>
    public static IServiceCollection AddIntegrationEvent<TEvent>(this IServiceCollection services)
        where TEvent : IntegrationEvent
    {
        services.AddSingleton(new IntegrationEventRegistration(typeof(TEvent)));
        return services;
    }

    /// <summary>
    /// <typeparamref name="THandler"/> handles <typeparamref name="TEvent"/> in a transaction on
    /// <typeparamref name="TContext"/>, its own module's DbContext. When it also implements
    /// <see cref="IIntegrationEventBatchHandler{TEvent}"/>, a dispatch of several events goes through that in one call;
    /// a single event goes through <see cref="IIntegrationEventHandler{TEvent}"/>.
    /// </summary>
    public static IServiceCollection AddIntegrationEventHandler<TEvent, THandler, TContext>(this IServiceCollection services)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
        where TContext : ModuleDbContext
    {
        services.AddScoped<THandler>();
        services.AddIntegrationEvent<TEvent>();
        services.AddSingleton(new HandlerRegistration(
            typeof(TEvent),
            typeof(THandler).FullName ?? typeof(THandler).Name,
            typeof(TContext),
            async (sp, events, ct) =>
            {
                var handler = sp.GetRequiredService<THandler>();
                if (events.Count > 1 && handler is IIntegrationEventBatchHandler<TEvent> batch)
                {
                    // The batch path reads once for all; a single event (also each one of a failed batch, delivered
                    // again one per transaction) keeps the per-event path.
                    await batch.HandleAsync(events.Cast<TEvent>().ToList(), ct);
                    return;
                }

                var db = (ModuleDbContext)sp.GetRequiredService(typeof(TContext));
                for (var i = 0; i < events.Count; i++)
                {
                    await handler.HandleAsync((TEvent)events[i], ct);
                    if (i < events.Count - 1)
                    {
                        // The next event sees this one's effects, from a clean change tracker.
                        await db.SaveChangesAsync(ct);
                        db.ChangeTracker.Clear();
                    }
                }
            }));
        return services;
    }

    /// <summary>
    /// <typeparamref name="THandler"/> handles batches of <typeparamref name="TEvent"/> in a transaction on
    /// <typeparamref name="TContext"/>, its own module's DbContext (see <see cref="IIntegrationEventBatchHandler{TEvent}"/>).
    /// </summary>
    public static IServiceCollection AddIntegrationEventBatchHandler<TEvent, THandler, TContext>(this IServiceCollection services)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventBatchHandler<TEvent>
        where TContext : ModuleDbContext
    {
        services.AddScoped<THandler>();
        services.AddIntegrationEvent<TEvent>();
        services.AddSingleton(new HandlerRegistration(
            typeof(TEvent),
            typeof(THandler).FullName ?? typeof(THandler).Name,
            typeof(TContext),
            (sp, events, ct) => sp.GetRequiredService<THandler>().HandleAsync(events.Cast<TEvent>().ToList(), ct)));
        return services;
    }
}
