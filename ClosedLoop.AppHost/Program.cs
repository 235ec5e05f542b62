using ClosedLoop.AppHost;
using ClosedLoop.AppHost.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

if (!AppHostOptions.TryParse(args, out var options, out var error))
{
    await Console.Error.WriteLineAsync($"{error}{Environment.NewLine}{Environment.NewLine}{AppHostOptions.Usage}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(AppHostOptions.Usage);
    return 0;
}

var builder = DistributedApplication.CreateBuilder([.. options.AspireArguments]);
Dashboard.UseLocalDefaults(builder.Configuration, options.Port);
// `dotnet run` starts an AppHost in its project folder: relative folders are the repository's (where README says).
var data = Path.GetFullPath(options.DataDirectory, Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..")));
Directory.CreateDirectory(data);

IResourceBuilder<IResourceWithConnectionString>? database = null;
if (options.Postgres)
{
    if (ContainerRuntime.IsAvailable())
    {
        database = builder.AddPostgres("postgres").WithDataVolume("closedloop-postgres").AddDatabase("closedloop");
    }
    else if (PostgresBinaries.TryLocate(out var binaries, out var reason))
    {
        database = builder.AddLocalPostgres("postgres", binaries, Path.Combine(data, "postgres"), options.Port + LocalPostgresResource.PortOffset);
    }
    else
    {
        await Console.Error.WriteLineAsync($"--postgres: no container runtime, and {reason}");
        return 1;
    }
}

IResourceBuilder<IResourceWithEndpoints>? mail = null;
if (options.Smtp)
{
    if (MailDev.Add(builder, options.SmtpPort, options.SmtpWebPort, out var reason) is { } added)
    {
        mail = added;
    }
    else
    {
        await Console.Error.WriteLineAsync($"--smtp: {reason}");
        return 1;
    }
}

// Replicas must not race each other's migrations: one run of the API's `migrate` command first, then all start without.
IResourceBuilder<ProjectResource>? migrate = null;
if (database is not null && options.Replicas > 1)
{
    migrate = builder.AddProject<Projects.ClosedLoop_Api>("migrate", launchProfileName: null)
        .WithArgs("migrate")
        .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
        .WithEnvironment("Database__Provider", "PostgreSql")
        .WithReference(database, "closedloop")
        .WaitFor(database);
}

for (var i = 0; i < options.Replicas; i++)
{
    var port = options.Port + i;
    var api = builder.AddProject<Projects.ClosedLoop_Api>(i == 0 ? "api" : $"api-{i + 1}", launchProfileName: null)
        .WithHttpEndpoint(port: port, isProxied: false)
        .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")

        // The links in customers' mails (unsubscribe) point at the first replica, wherever --port put it.
        .WithEnvironment("Communication__Consent__PublicBaseUrl", "http://localhost:" + options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithHttpHealthCheck("/health");
    if (database is null)
    {
        api.WithEnvironment("Database__Provider", "Sqlite")
            .WithEnvironment("ConnectionStrings__closedloop", $"Data Source={Path.Combine(data, "closedloop.db")}");
    }
    else
    {
        api.WithEnvironment("Database__Provider", "PostgreSql").WithReference(database, "closedloop").WaitFor(database);
        if (migrate is not null)
        {
            api.WithEnvironment("Database__MigrateOnStartup", "false").WaitForCompletion(migrate);
        }
    }

    if (mail is not null)
    {
        // The Communication module's SMTP settings: MailDev takes any mail, without TLS or credentials.
        api.WithEnvironment("Smtp__Host", "127.0.0.1")
            .WithEnvironment("Smtp__Port", options.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Smtp__UseTls", "false")
            .WaitFor(mail);
    }

    builder.Eventing.Subscribe<ResourceReadyEvent>(api.Resource, (ready, _) =>
    {
        ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ClosedLoop").LogInformation(
            "{Resource} is ready: API http://localhost:{Port}, Swagger UI http://localhost:{Port}/swagger", ready.Resource.Name, port, port);
        return Task.CompletedTask;
    });
}

await builder.Build().RunAsync();
return 0;
