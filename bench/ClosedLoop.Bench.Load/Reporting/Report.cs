using System.Globalization;
using System.Runtime.InteropServices;

namespace ClosedLoop.Bench.Load.Reporting;

/// <summary>Progress lines while running, and Markdown tables of medians at the end (pasted into bench/README.md).</summary>
internal sealed class Report(TextWriter output)
{
    private readonly List<string[]> _rows = [];
    private string[] _header = [];

    public void Machine(BenchOptions options)
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        output.WriteLine($"# ClosedLoop bench: {options.Command.ToString().ToLowerInvariant()}");
        output.WriteLine($"machine: {Environment.ProcessorCount} cores, {memory:0} GB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        output.WriteLine($"repetitions: {options.Repetitions} (medians reported)");
    }

    public void Line(string text) => output.WriteLine(text);

    public void Table(params string[] header) => _header = header;

    public void Row(params string[] cells) => _rows.Add(cells);

    public void Flush()
    {
        output.WriteLine();
        output.WriteLine("| " + string.Join(" | ", _header) + " |");
        output.WriteLine("|" + string.Concat(_header.Select(_ => " --- |")));
        foreach (var row in _rows)
        {
            output.WriteLine("| " + string.Join(" | ", row) + " |");
        }

        output.WriteLine();
        _rows.Clear();
    }

    public static string Number(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);
}
