using ClosedLoop.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Messaging.Tests;

/// <summary>
/// One process's worth of services on the test database, composed the way the host composes modules.
/// Two replicas on one database behave like two API processes: separate containers, separate dispatchers.
/// </summary>
internal sealed class Replica : IAsyncDisposable
{
    public const int MaxAttempts = 3;

    private Replica(ServiceProvider services)
    {
        Services = services;
        Dispatcher = services.GetRequiredService<OutboxDispatcher>();
        Probe = services.GetRequiredService<HandlerProbe>();
        Clock = (ShiftedTimeProvider)services.GetRequiredService<TimeProvider>();
    }

    public ServiceProvider Services { get; }

    public OutboxDispatcher Dispatcher { get; }

    public HandlerProbe Probe { get; }

    public ShiftedTimeProvider Clock { get; }

    public static Replica Start(
        TestDatabase database,
        ITestOutputHelper? output,
        IReadOnlyDictionary<string, string?>? settings = null,
        ShiftedTimeProvider? clock = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Database:Provider"] = database.Provider.ToString(),
            [$"ConnectionStrings:{DatabaseOptions.ConnectionStringName}"] = database.ConnectionString,
            // Only a commit signal (or the test) runs the dispatcher; the timed sweep never fires during a test.
            ["Messaging:SweepInterval"] = "01:00:00",
            ["Messaging:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            if (output is not null)
            {
                logging.AddProvider(new XunitLoggerProvider(output));
            }
        });
        services.AddSingleton<HandlerProbe>();
        // Registered first: AddClosedLoopMessaging only adds the system clock when none is there.
        services.AddSingleton<TimeProvider>(clock ?? new ShiftedTimeProvider());
        services.AddClosedLoopPersistence(configuration);
        services.AddModuleDbContext<OrdersDbContext>();
        services.AddModuleDbContext<ShippingDbContext>();
        services.AddClosedLoopMessaging(configuration);
        // The shipment handler comes first: its failures must not keep the acknowledgement from running.
        services.AddIntegrationEventHandler<OrderPlacedIntegrationEvent, CreateShipmentHandler, ShippingDbContext>();
        services.AddIntegrationEventHandler<OrderPlacedIntegrationEvent, AcknowledgeOrderHandler, OrdersDbContext>();
        services.AddIntegrationEventHandler<ShipmentCreatedIntegrationEvent, NoteShipmentHandler, OrdersDbContext>();
        services.AddIntegrationEvent<OrderArchivedIntegrationEvent>();
        return new Replica(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

internal sealed class XunitLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                var error = exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})";
                output.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)}{error}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished; its output helper no longer accepts lines.
            }
        }
    }
}
