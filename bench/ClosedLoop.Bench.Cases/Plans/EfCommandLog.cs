using System.Text;

namespace ClosedLoop.Bench.Cases.Plans;

/// <summary>
/// The SQL EF Core sent, read from the API's log: the capture pass runs the API with
/// <c>Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command=Information</c>, and the console logger
/// writes each "Executed DbCommand" with its statement on the indented lines that follow.
/// </summary>
internal sealed class EfCommandLog(string path)
{
    public const string LogLevelSetting = "Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command";

    public long Mark() => new FileInfo(path).Length;

    /// <summary>The statements logged since <paramref name="mark"/>, in order.</summary>
    public IReadOnlyList<string> CommandsSince(long mark)
    {
        string text;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.Seek(mark, SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
        }

        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var commands = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Contains("Executed DbCommand", StringComparison.Ordinal))
            {
                continue;
            }

            var sql = new StringBuilder();
            while (i + 1 < lines.Length && lines[i + 1].StartsWith("      ", StringComparison.Ordinal))
            {
                sql.AppendLine(lines[++i][6..]);
            }

            commands.Add(sql.ToString().Trim());
        }

        return commands;
    }
}
