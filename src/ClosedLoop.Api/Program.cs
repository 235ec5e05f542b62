using ClosedLoop.Api.Hosting;
using ClosedLoop.Api.Platform.ApiKeys;
using ClosedLoop.Api.Platform.Audit;
using ClosedLoop.Cases;
using ClosedLoop.Communication;
using ClosedLoop.Feedback;
using ClosedLoop.Insights;
using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using ClosedLoop.Rules.Store;
using ClosedLoop.Workflows.Store;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.ConfigureListenUrl(args);
builder.AddServiceDefaults();

builder.Services
    .AddClosedLoopPersistence(builder.Configuration)
    .AddClosedLoopMessaging(builder.Configuration)
    .AddClosedLoopApi(builder.Configuration, builder.Environment)
    .AddCasesModule(builder.Configuration) // first: its seeded teams are what the default rule sets route to
    .AddRuleSetStore(builder.Configuration)
    .AddFeedbackModule(builder.Configuration)
    .AddCommunicationModule(builder.Configuration)
    .AddInsightsModule(builder.Configuration)
    .AddWorkflowStore(builder.Configuration); // last: the default loops name the modules' seeded teams and templates

var app = builder.Build();
app.UseClosedLoopApi();
app.MapDefaultEndpoints();
app.MapCommunicationPublicEndpoints();

var api = app.MapGroup("/api/v1");
api.AddEndpointFilter(ServerTiming.FilterAsync);
api.MapApiKeyEndpoints();
api.MapAuditEndpoints();
api.MapRuleSetEndpoints();
api.MapWorkflowDefinitionEndpoints();
api.MapWorkflowInstanceEndpoints();
api.MapFeedbackEndpoints();
api.MapCasesEndpoints();
api.MapCommunicationEndpoints();
api.MapInsightsEndpoints();

var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
if (args.Contains("migrate"))
{
    // Deploy step: bring every module's schema up to date, then exit.
    await migrator.MigrateAsync();
    app.Logger.LogInformation("Migrations applied.");
    return 0;
}

if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
{
    await migrator.MigrateAsync();
}

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
