namespace ClosedLoop.Persistence;

/// <summary>
/// A module's DbContext names its schema once: the schema on PostgreSQL and SQL Server, the table
/// prefix on SQLite, and where its migrations history lives.
/// </summary>
public interface IModuleDbContext
{
    static abstract string Schema { get; }
}
