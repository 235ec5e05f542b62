using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Feedback.Data;

/// <summary>The Feedback module's tables: schema 'feedback' (prefix 'feedback_' on SQLite), with its outbox and inbox.</summary>
internal sealed class FeedbackDbContext(DbContextOptions<FeedbackDbContext> options)
    : ModuleDbContext<FeedbackDbContext>(options), IModuleDbContext
{
    public static string Schema => "feedback";

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        // The module's own entities arrive with its first feature; until then it holds only its outbox and inbox.
    }
}
