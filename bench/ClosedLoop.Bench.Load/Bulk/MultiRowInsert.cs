using System.Text;

namespace ClosedLoop.Bench.Load.Bulk;

internal static class MultiRowInsert
{
    /// <summary><c>INSERT INTO t (columns) VALUES (…), (…), …</c> with one placeholder per value.</summary>
    public static string Sql(ItemsTable table, int rows, Func<int, int, string> placeholder)
    {
        var sql = new StringBuilder($"INSERT INTO {table.Name} (");
        sql.AppendJoin(", ", RawRow.Columns.Select(c => $"\"{c}\"")).Append(") VALUES ");
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            sql.AppendJoin(", ", Enumerable.Range(0, RawRow.Columns.Count).Select(column => placeholder(row, column)));
            sql.Append(')');
        }

        return sql.ToString();
    }
}
