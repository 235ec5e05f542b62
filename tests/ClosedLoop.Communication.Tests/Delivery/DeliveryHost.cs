using System.Globalization;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Delivery;
using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ClosedLoop.Communication.Tests.Delivery;

/// <summary>
/// One process's worth of the Communication module, composed as the host composes it, on the test database; only the
/// delivery worker runs (no template seeding, no outbox dispatch). Two of them on one database are two replicas.
/// </summary>
internal sealed class DeliveryHost : IAsyncDisposable
{
    private readonly IHostedService _worker;

    private DeliveryHost(ServiceProvider services)
    {
        Services = services;
        _worker = services.GetServices<IHostedService>().OfType<DeliveryWorker>().Single();
    }

    public ServiceProvider Services { get; }

    /// <summary>Test-speed settings: short backoff, lease and poll; an SMTP server on <paramref name="smtpPort"/> unless null.</summary>
    public static async Task<DeliveryHost> StartAsync(
        DeliveryDatabase database,
        ITestOutputHelper? output,
        int? smtpPort,
        IReadOnlyDictionary<string, string?>? settings = null,
        IInterceptor? interceptor = null,
        bool run = true)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Database:Provider"] = database.Provider.ToString(),
            [$"ConnectionStrings:{DatabaseOptions.ConnectionStringName}"] = database.ConnectionString,
            ["Messaging:SweepInterval"] = "01:00:00",
            ["Communication:SeedOnStartup"] = "false",
            ["Communication:Delivery:BaseDelay"] = "00:00:00.100",
            ["Communication:Delivery:MaxDelay"] = "00:00:00.500",
            ["Communication:Delivery:PollInterval"] = "00:00:00.200",
            ["Communication:Delivery:Lease"] = "00:00:30",
            ["Communication:Delivery:MaxAttempts"] = "50",
            ["Communication:Webhooks:AllowPrivateTargets"] = "true",
            ["Communication:Webhooks:Timeout"] = "00:00:10",
            ["Smtp:UseTls"] = "false",
            ["Smtp:FromAddress"] = "closedloop@example.test",
            ["Smtp:MessageIdDomain"] = "mail.example.test",
        };
        if (smtpPort is { } port)
        {
            values["Smtp:Host"] = "127.0.0.1";
            values["Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture);
        }

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
                logging.AddProvider(new TestOutputLoggerProvider(output));
            }
        });
        if (interceptor is not null)
        {
            services.AddSingleton(interceptor);
        }

        services.AddClosedLoopPersistence(configuration);
        services.AddClosedLoopMessaging(configuration);
        services.AddCommunicationModule(configuration);
        var host = new DeliveryHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        if (run)
        {
            await host._worker.StartAsync(CancellationToken.None);
        }

        return host;
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Runs <paramref name="work"/> on a fresh context of its own.</summary>
    public async Task<T> WithDbAsync<T>(Func<CommunicationDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<CommunicationDbContext>());
    }

    public Task AddAsync(params object[] rows) => WithDbAsync(async db =>
    {
        db.AddRange(rows);
        return await db.SaveChangesAsync();
    });

    public Task<MessageRecord> MessageAsync(Guid id) => WithDbAsync(db => db.Messages.AsNoTracking().SingleAsync(m => m.Id == id));

    public Task<List<MessageRecord>> MessagesAsync() => WithDbAsync(db => db.Messages.AsNoTracking().ToListAsync());

    public Task<List<MessageAttemptRecord>> AttemptsAsync(Guid id) =>
        WithDbAsync(db => db.MessageAttempts.AsNoTracking().Where(a => a.MessageId == id).OrderBy(a => a.Number).ToListAsync());

    /// <summary>How many outbox rows of an event type (by the end of its name) the module wrote.</summary>
    public Task<int> OutboxCountAsync(DeliveryDatabase database, string eventName)
    {
        var sql = "SELECT COUNT(*) AS \"Value\" FROM " + database.OutboxTable + " WHERE \"Type\" LIKE {0}";
        return WithDbAsync(db => db.Database.SqlQueryRaw<int>(sql, "%" + eventName + "%").SingleAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.StopAsync(CancellationToken.None);
        await Services.DisposeAsync();
    }
}

internal sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
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
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output no longer takes lines.
            }
        }
    }
}

/// <summary>Waits for a condition with a generous deadline: the tests must hold on a loaded two-core machine.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? Deadline);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>Message rows as the composer writes them.</summary>
internal static class TestMessages
{
    public static MessageRecord Email(string? externalId = null, string? unsubscribeUrl = null)
    {
        var id = Guid.CreateVersion7();
        return new MessageRecord
        {
            Id = id,
            DedupKey = $"test:{id}",
            Channel = MessageChannel.Email,
            Purpose = MessagePurpose.Transactional,
            TemplateKey = "resolution",
            TemplateVersion = 1,
            Language = "en",
            CustomerId = Guid.NewGuid(),
            CaseId = Guid.NewGuid(),
            RecipientAddress = $"ada+{id:N}@example.com",
            RecipientName = "Ada Lovelace",
            Subject = "Your case is resolved",
            HtmlBody = "<p>Hello <b>Ada</b></p>",
            TextBody = "Hello Ada",
            UnsubscribeUrl = unsubscribeUrl,
            ExternalId = externalId ?? id.ToString("N"),
            Status = MessageStatus.Pending,
            NextAttemptAt = DateTimeOffset.UtcNow,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = "test",
        };
    }

    public static MessageRecord Webhook(WebhookEndpointRecord endpoint, string payload)
    {
        var message = Email();
        message.Channel = MessageChannel.Webhook;
        message.Purpose = MessagePurpose.Internal;
        message.WebhookEndpointId = endpoint.Id;
        message.RecipientAddress = endpoint.Url;
        message.Payload = payload;
        message.ExternalId = $"msg_{message.Id:N}";
        message.HtmlBody = message.TextBody = null;
        return message;
    }

    public static WebhookEndpointRecord Endpoint(string url) => new()
    {
        Id = Guid.CreateVersion7(),
        Name = "ops-" + Guid.NewGuid().ToString("N")[..8],
        Url = url,
        Secret = WebhookSignature.NewSecret(),
        Events = "*",
        Enabled = true,
        CreatedAt = DateTimeOffset.UtcNow,
        CreatedBy = "test",
    };
}
