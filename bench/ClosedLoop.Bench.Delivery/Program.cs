using System.Diagnostics;
using System.Globalization;
using ClosedLoop.Bench.Delivery;
using ClosedLoop.Communication;
using ClosedLoop.Communication.Tests.Delivery;
using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using ClosedLoop.Testing.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

// Usage: dotnet run -c Release --project bench/ClosedLoop.Bench.Delivery -- [--messages 3000] [--repetitions 3] [--postgres]
var messages = Option("--messages", 3000);
var repetitions = Option("--repetitions", 3);
var provider = args.Contains("--postgres") ? DatabaseProvider.PostgreSql : DatabaseProvider.Sqlite;
await using var postgres = provider == DatabaseProvider.PostgreSql ? await LocalPostgres.StartAsync() : null;

Console.WriteLine($"Delivery throughput: {messages} messages per run, {repetitions} runs per channel, {provider}, {Environment.ProcessorCount} cores, default Communication:Delivery settings");
foreach (var channel in new[] { "email", "webhook" })
{
    var rates = new List<double>();
    for (var run = 1; run <= repetitions; run++)
    {
        var rate = await MeasureAsync(channel);
        rates.Add(rate);
        Console.WriteLine($"  {channel} run {run}: {rate:F0} messages/s");
    }

    rates.Sort();
    Console.WriteLine($"{channel}: median {rates[rates.Count / 2]:F0} messages/s (min {rates[0]:F0}, max {rates[^1]:F0})");
}

async Task<double> MeasureAsync(string channel)
{
    var (connectionString, drop) = await CreateDatabaseAsync();
    await using var smtp = TestSmtpServer.Start();
    await using var receiver = await WebhookReceiver.StartAsync();
    var settings = new Dictionary<string, string?>
    {
        ["Database:Provider"] = provider.ToString(),
        ["ConnectionStrings:closedloop"] = connectionString,
        ["Communication:SeedOnStartup"] = "false",
        ["Communication:Webhooks:AllowPrivateTargets"] = "true",
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
        ["Smtp:UseTls"] = "None",
    };
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
        // The migrator's first look at a fresh database fails by design (no history table yet); EF logs it as an error.
        .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Critical);
    builder.Services.AddClosedLoopPersistence(builder.Configuration);
    builder.Services.AddClosedLoopMessaging(builder.Configuration);
    builder.Services.AddCommunicationModule(builder.Configuration);
    using var host = builder.Build();
    await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
    await BenchRows.InsertAsync(provider, connectionString, messages, channel == "webhook" ? receiver.Url : null);

    var clock = Stopwatch.StartNew();
    await host.StartAsync();
    while (await BenchRows.SentAsync(provider, connectionString) < messages)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"Only {await BenchRows.SentAsync(provider, connectionString)} of {messages} sent after 5 minutes.");
        }

        await Task.Delay(10);
    }

    var elapsed = clock.Elapsed;
    await host.StopAsync();
    var received = channel == "email" ? smtp.Received.Count : receiver.Received.Count;
    if (received != messages)
    {
        throw new InvalidOperationException($"The receiver got {received} of {messages}.");
    }

    await drop();
    return messages / elapsed.TotalSeconds;
}

async Task<(string ConnectionString, Func<Task> Drop)> CreateDatabaseAsync()
{
    if (postgres is null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"closedloop-bench-delivery-{Guid.NewGuid():N}.db");
        return ($"Data Source={file}", () =>
        {
            SqliteConnection.ClearAllPools();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }

            return Task.CompletedTask;
        });
    }

    var name = $"bench_{Guid.NewGuid():N}";
    await using (var admin = new NpgsqlConnection(postgres.ConnectionString("postgres")))
    {
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync();
    }

    return (postgres.ConnectionString(name), async () =>
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(postgres.ConnectionString("postgres"));
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    });
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
