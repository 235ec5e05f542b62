using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Xunit.Abstractions;

namespace ClosedLoop.Api.Tests.Fuzz;

/// <summary>
/// Seeded fuzzing over the OpenAPI document: every operation (and the health probes) with every role, mostly valid
/// values with one mutation each (lone surrogates, NUL, huge numbers, wrong types, deep nesting, duplicate keys,
/// malformed JSON, bad escapes, odd headers, …). No answer may be a 5xx, and every error must be a problem document.
/// Reproduce with <c>CLOSEDLOOP_FUZZ_SEED</c> (and <c>CLOSEDLOOP_FUZZ_REQUESTS</c>) set to what the output prints.
/// </summary>
public abstract class FuzzTests<TFactory>(TFactory factory, ITestOutputHelper output) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    public const int DefaultSeed = 20261120;
    public const int DefaultRequests = 3_000;

    [Fact]
    public async Task Generated_requests_over_every_route_and_role_get_no_server_error_and_only_problem_errors()
    {
        var seed = Setting("CLOSEDLOOP_FUZZ_SEED", DefaultSeed);
        var count = Setting("CLOSEDLOOP_FUZZ_REQUESTS", DefaultRequests);
        output.WriteLine($"{factory.Provider}: fuzz seed {seed}, {count} requests (CLOSEDLOOP_FUZZ_SEED / CLOSEDLOOP_FUZZ_REQUESTS to change)");

        var clock = Stopwatch.StartNew();
        var data = await FuzzData.CreateAsync(factory);
        var document = JsonNode.Parse(await factory.Client(ApiFactory.AdminKey).GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();
        var model = new FuzzOperations(document);
        var operations = model.All();
        var seeded = clock.Elapsed;

        var values = new FuzzValues(new Random(seed), data, model);
        var requests = new FuzzRequests(values, data);
        var report = new FuzzReport();
        var perOperation = operations.ToDictionary(o => o.Name, _ => 0);
        foreach (var (operation, role) in Schedule(operations, values, count))
        {
            perOperation[operation.Name]++;
            await SendAsync(factory.Server, requests.Create(operation, role), report);
        }

        output.WriteLine($"{report.Sent} requests over {operations.Count} operations in {clock.Elapsed - seeded:mm\\:ss\\.f} (seeding {seeded:mm\\:ss\\.f}); statuses: {report.Statuses()}");
        output.WriteLine($"slowest: {report.Slowest(6)}");
        output.WriteLine($"mutations not yet sent to an allowed caller: {string.Join(", ", requests.Uncovered.DefaultIfEmpty("none"))}");
        Assert.True(report.Sent >= count, $"Only {report.Sent} of {count} requests were sent.");
        Assert.All(perOperation, p => Assert.True(p.Value >= FuzzRequests.Roles.Length, $"{p.Key} got only {p.Value} requests."));
        var failures = report.Failures();
        output.WriteLine(failures);
        Assert.True(
            report.FailureCount == 0,
            $"{report.FailureCount} of {report.Sent} fuzz requests failed on {factory.Provider} (seed {seed}; rerun with CLOSEDLOOP_FUZZ_SEED={seed} CLOSEDLOOP_FUZZ_REQUESTS={count}):\n{failures}");
    }

    /// <summary>
    /// Every operation with every role once, then random operations weighted by how many mutations apply to them
    /// (a body takes more requests to cover than a path), mostly with a role allowed to call them.
    /// </summary>
    private static IEnumerable<(FuzzOperation Operation, string Role)> Schedule(IReadOnlyList<FuzzOperation> operations, FuzzValues values, int count)
    {
        var sent = 0;
        foreach (var operation in operations)
        {
            foreach (var role in FuzzRequests.Roles)
            {
                sent++;
                yield return (operation, role);
            }
        }

        var weights = operations.Select(FuzzRequests.Weight).ToList();
        for (; sent < count; sent++)
        {
            var ticket = values.Random.Next(weights.Sum());
            var index = 0;
            for (; ticket >= weights[index]; index++)
            {
                ticket -= weights[index];
            }

            var operation = operations[index];
            var allowed = FuzzRequests.Roles.Where(operation.Roles.Contains).ToList();
            yield return (operation, allowed.Count > 0 && values.Chance(0.75) ? values.Pick(allowed) : values.Pick(FuzzRequests.Roles));
        }
    }

    private static async Task SendAsync(TestServer server, FuzzRequest request, FuzzReport report)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (status, mediaType, body) = await request.SendAsync(server, timeout.Token);
            report.Check(request, status, mediaType, body, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e)
        {
            // The test server rethrows what escapes the pipeline; a real server would have answered 500 or dropped the connection.
            report.Threw(request, e);
        }
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

public sealed class SqliteFuzzTests(SqliteFuzzFactory factory, ITestOutputHelper output) : FuzzTests<SqliteFuzzFactory>(factory, output);

public sealed class PostgresFuzzTests(PostgresFuzzFactory factory, ITestOutputHelper output) : FuzzTests<PostgresFuzzFactory>(factory, output);

/// <summary>A fuzz host: no rate limits (else most answers would be 429) and a quiet log (the answers carry the exceptions).</summary>
public sealed class SqliteFuzzFactory : SqliteApiFactory
{
    protected override void Configure(IDictionary<string, string?> settings) => FuzzHost.Configure(settings);
}

public sealed class PostgresFuzzFactory : PostgresApiFactory
{
    protected override void Configure(IDictionary<string, string?> settings) => FuzzHost.Configure(settings);
}

internal static class FuzzHost
{
    public static void Configure(IDictionary<string, string?> settings)
    {
        settings["RateLimiting:Enabled"] = "false";
        settings["Logging:LogLevel:Default"] = "Critical";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Critical";
        settings["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Critical";
    }
}
