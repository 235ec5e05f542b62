using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>
/// Microsoft.Data.Sqlite for Quartz, with <c>PRAGMA busy_timeout</c> on every connection it opens. Quartz's
/// transactions on SQLite begin immediately (they take the write lock), and the app's EF writers queue only among
/// themselves (SqliteWriteGate), so the two meet at SQLite's lock: with the busy timeout SQLite itself waits for the
/// other writer, as the app's own connections do (SqliteConnectionSettings), instead of failing or falling back to
/// the driver's 150 ms retry sleeps.
/// </summary>
internal sealed class SqliteBusyTimeoutFactory(TimeSpan busyTimeout) : DbProviderFactory
{
    private readonly string _pragma = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(int)Math.Min(int.MaxValue, busyTimeout.TotalMilliseconds)};");

    public override DbConnection CreateConnection() => new BusyTimeoutConnection(_pragma);

    public override DbCommand CreateCommand() => SqliteFactory.Instance.CreateCommand();

    public override DbParameter CreateParameter() => SqliteFactory.Instance.CreateParameter();

    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => SqliteFactory.Instance.CreateConnectionStringBuilder();

    private sealed class BusyTimeoutConnection(string pragma) : SqliteConnection
    {
        public override void Open()
        {
            base.Open();
            using var command = CreateCommand();
            command.CommandText = pragma;
            command.ExecuteNonQuery();
        }
    }
}
