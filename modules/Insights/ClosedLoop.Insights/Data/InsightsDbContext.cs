using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Insights.Data;

/// <summary>The Insights module's tables: schema 'insights' (prefix 'insights_' on SQLite), with its outbox and inbox.</summary>
internal sealed class InsightsDbContext(DbContextOptions<InsightsDbContext> options)
    : ModuleDbContext<InsightsDbContext>(options), IModuleDbContext
{
    public static string Schema => "insights";

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        // The module's own entities arrive with its first feature; until then it holds only its outbox and inbox.
    }
}
