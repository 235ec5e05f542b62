using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Communication.Data;

/// <summary>The Communication module's tables: schema 'communication' (prefix 'communication_' on SQLite), with its outbox and inbox.</summary>
internal sealed class CommunicationDbContext(DbContextOptions<CommunicationDbContext> options)
    : ModuleDbContext<CommunicationDbContext>(options), IModuleDbContext
{
    public static string Schema => "communication";

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        // The module's own entities arrive with its first feature; until then it holds only its outbox and inbox.
    }
}
