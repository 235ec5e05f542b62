using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Data;

/// <summary>The Cases module's tables: schema 'cases' (prefix 'cases_' on SQLite), with its outbox and inbox.</summary>
internal sealed class CasesDbContext(DbContextOptions<CasesDbContext> options)
    : ModuleDbContext<CasesDbContext>(options), IModuleDbContext
{
    public static string Schema => "cases";

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        // The module's own entities arrive with its first feature; until then it holds only its outbox and inbox.
    }
}
